using System.Net;
using Interviews.Functions.Operations;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;

namespace Interviews.Tests.EndToEnd;

/// <summary>What operators and tools read (health, the OpenAPI document), and the background work a timer starts.</summary>
public abstract class OperationsTests(ApiHost host)
{
    [Fact]
    public async Task Health_is_anonymous_and_reports_the_store_reachable()
    {
        host.Require();
        using var client = host.Anonymous();
        var response = await client.GetPathAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
        Assert.Equal("Reachable", body["store"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_OpenAPI_document_is_served_anonymously_as_the_app_embeds_it()
    {
        host.Require();
        using var client = host.Anonymous();
        var response = await client.GetPathAsync("/api/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(OpenApiApi.DocumentBytes.ToArray(), await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_run_of_the_event_pump_timer_plans_the_reminders_of_a_scheduled_interview()
    {
        host.Require();
        var user = TestUser.New();
        using var client = host.ClientFor(user);
        var scheduledAt = host.Now.AddDays(3);
        var (id, _, _) = await client.ScheduleAtAsync(scheduledAt);

        await host.RunTimerAsync("EventPump");

        var (plan, _) = await host.Reminders.GetPlanAsync(user.Id, Guid.Parse(id), TestContext.Current.CancellationToken);
        var reminders = await host.Reminders.OfPlanAsync(plan, TestContext.Current.CancellationToken);
        var dayBefore = Assert.Single(reminders, r => r.ReminderKind == ReminderKind.Before && r.MinutesBefore == 24 * 60);
        Assert.Equal(user.Id, dayBefore.UserId);
        Assert.Equal(ReminderStatus.Due, dayBefore.Status);
        Assert.Equal(Truncated(scheduledAt).AddDays(-1), dayBefore.DueAt);
    }

    [Fact]
    public async Task Starting_a_calendar_connection_answers_the_providers_consent_address()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/calendar/connections/google", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var consent = new Uri((await response.JsonAsync())["authorizationUrl"]!.GetValue<string>());
        Assert.Equal("accounts.google.com", consent.Host);
        Assert.Contains("client_id=" + EndToEndSettings.GoogleClientId, consent.Query, StringComparison.Ordinal);
        Assert.Contains("code_challenge=", consent.Query, StringComparison.Ordinal);
    }

    /// <summary>The schedule request sends whole seconds.</summary>
    private static DateTimeOffset Truncated(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}

[Collection(LocalHostCollection.Name)]
public sealed class LocalHostOperationsTests(LocalHostApi host) : OperationsTests(host);

[Collection(FunctionsWorkerCollection.Name)]
public sealed class FunctionsWorkerOperationsTests(FunctionsWorkerApi host) : OperationsTests(host);
