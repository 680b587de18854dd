using System.Globalization;
using System.Net;
using Interviews.Functions.Calendar;
using Interviews.Tests.Support;

namespace Interviews.Tests.Calendar;

/// <summary>Two-way sync: moves and deletions made in each calendar come back through the reconcile timer; the service's own changes do not.</summary>
public sealed class ReconcileTests
{
    [Theory]
    [InlineData("google")]
    [InlineData("outlook")]
    public async Task A_move_in_the_calendar_reschedules_the_interview_and_reaches_the_other_calendar(string provider)
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        var (id, _, _) = await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();

        // A first run takes the calendars' cursors; the service's own events are echoes, nothing changes.
        await host.ReconcileAsync();
        var unchanged = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Empty(unchanged["rescheduleHistory"]!.AsArray());

        var newStart = host.Factory.Clock.GetUtcNow().AddDays(4).AddHours(2);
        if (provider == "google")
        {
            host.Google.MoveByUser(GoogleCalendarClient.EventId(Guid.Parse(id)), newStart);
        }
        else
        {
            host.Microsoft.MoveByUser(host.Microsoft.LiveEvents.Single()["id"]!.GetValue<string>(), newStart);
        }

        await host.ReconcileAsync();
        var moved = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal(newStart.UtcDateTime, moved["scheduledAt"]!.GetValue<DateTime>().ToUniversalTime());
        var history = Assert.Single(moved["rescheduleHistory"]!.AsArray())!;
        Assert.Equal("Candidate", history["initiatedBy"]!.GetValue<string>());
        Assert.Equal($"Moved in {CalendarProviders.DisplayName(provider)}", history["reason"]!.GetValue<string>());

        // The pump takes the move to the other calendar; reading the calendars again is only echoes.
        await host.PumpAsync();
        Assert.Equal(newStart, DateTimeOffset.Parse(host.Google.LiveEvents.Single()["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(newStart.UtcDateTime, FakeMicrosoft.StartOf(host.Microsoft.LiveEvents.Single()).UtcDateTime);
        await host.ReconcileAsync();
        await host.ReconcileAsync();
        var after = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Single(after["rescheduleHistory"]!.AsArray());
    }

    [Theory]
    [InlineData("google")]
    [InlineData("outlook")]
    public async Task A_deletion_in_the_calendar_unlinks_the_event_without_cancelling_or_recreating(string provider)
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, provider);
        var (id, _, _) = await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        await host.ReconcileAsync();

        host.DeleteByUser(provider, id);

        await host.ReconcileAsync();
        var interview = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal("Scheduled", interview["status"]!.GetValue<string>());

        // A later change of the interview does not bring the event back.
        var update = ApiClient.ScheduleRequest(interview["scheduledAt"]!.GetValue<DateTimeOffset>(), ("duration", 90));
        Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", update.ToJsonString())).StatusCode);
        await host.PumpAsync();
        await host.ReconcileAsync();
        Assert.Empty(provider == "google" ? host.Google.LiveEvents : host.Microsoft.LiveEvents);
    }

    [Theory]
    [InlineData("google")]
    [InlineData("outlook")]
    public async Task A_change_that_finds_its_event_deleted_in_the_calendar_unlinks_it_instead_of_failing(string provider)
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, provider);
        var (id, _, _) = await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();

        // Deleted in the calendar, and the interview changed before any reconcile read that deletion.
        host.DeleteByUser(provider, id);

        var interview = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        var update = ApiClient.ScheduleRequest(interview["scheduledAt"]!.GetValue<DateTimeOffset>(), ("duration", 90));
        Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", update.ToJsonString())).StatusCode);
        await host.PumpAsync();

        var connection = (await host.ConnectionsAsync(alice)).Single(c => c!["provider"]!.GetValue<string>() == provider)!;
        Assert.Null(connection["lastError"]);
        Assert.Equal(0, connection["pendingSyncs"]!.GetValue<int>());
        Assert.Empty(provider == "google" ? host.Google.LiveEvents : host.Microsoft.LiveEvents);

        // Later changes and reconciles leave it deleted too.
        await host.ReconcileAsync();
        var again = ApiClient.ScheduleRequest(interview["scheduledAt"]!.GetValue<DateTimeOffset>(), ("duration", 45));
        Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", again.ToJsonString())).StatusCode);
        await host.PumpAsync();
        Assert.Empty(provider == "google" ? host.Google.LiveEvents : host.Microsoft.LiveEvents);
        Assert.Null((await host.ConnectionsAsync(alice)).Single(c => c!["provider"]!.GetValue<string>() == provider)!["lastError"]);
    }

    [Fact]
    public async Task An_expired_google_sync_token_means_a_full_read()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        var (id, _, _) = await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        await host.ReconcileAsync();

        var newStart = host.Factory.Clock.GetUtcNow().AddDays(8);
        host.Google.MoveByUser(GoogleCalendarClient.EventId(Guid.Parse(id)), newStart);
        host.Google.ExpireSyncTokens = true;
        await host.ReconcileAsync();
        var moved = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal(newStart.UtcDateTime, moved["scheduledAt"]!.GetValue<DateTime>().ToUniversalTime());
    }

    [Fact]
    public async Task A_move_into_the_past_is_refused_and_the_calendar_is_set_back()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        var (id, _, body) = await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        await host.ReconcileAsync();

        host.Google.MoveByUser(GoogleCalendarClient.EventId(Guid.Parse(id)), host.Factory.Clock.GetUtcNow().AddDays(-1));
        await host.ReconcileAsync();
        var interview = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal(body["scheduledAt"]!.GetValue<string>(), interview["scheduledAt"]!.GetValue<string>());
        Assert.Equal(interview["scheduledAt"]!.GetValue<DateTimeOffset>(), DateTimeOffset.Parse(host.Google.LiveEvents.Single()["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }
}
