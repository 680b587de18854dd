using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Interviews.Functions.Events;
using Interviews.Functions.Privacy;
using Interviews.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Features;

/// <summary>GET /api/me/export and DELETE /api/me, checked against the SQLite file itself.</summary>
public sealed class UserDataTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A user with a bit of everything: interviews (one moved, prepared with questions, completed and thanked), settings, reminders, a parked event.</summary>
    private static async Task<(HttpClient Client, string UserId)> BusyUserAsync(LocalHostFactory factory)
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser(), "me@example.com");
        var (first, _, _) = await client.ScheduleAsync(factory, daysAhead: 1.0 / 24);
        var (second, _, _) = await client.ScheduleAsync(factory, daysAhead: 5);
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{second}/prepare", new { questions = new[] { new { question = "Why us?", answerNotes = "Mission" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{second}/reschedule",
            new { newDateTime = factory.Clock.GetUtcNow().AddDays(6).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), initiatedBy = "Company" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { reminderMinutesBefore = new[] { 30, 1440 } })).StatusCode);
        await factory.RunTimerAsync("EventPump");
        factory.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{first}/complete", new { performanceRating = 4 })).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/interviews/{first}/thank-you") { Content = JsonContent("""{"recipients": ["jane@example.com"], "method": "Email"}""") };
        request.Headers.Add("Idempotency-Key", "thanks");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request, Token)).StatusCode);
        await factory.RunTimerAsync("EventPump");

        var export = await (await client.GetPathAsync("/api/me/export")).JsonAsync();
        var userId = export["userId"]!.GetValue<string>();
        var deadLetters = factory.Services.GetRequiredService<DeadLetters>();
        var parked = new DeliveredEvent(Guid.NewGuid(), "InterviewScheduled", Guid.Parse(first), Guid.Parse(userId), factory.Clock.GetUtcNow(), JsonDocument.Parse("{}").RootElement);
        await deadLetters.ParkAsync("ReminderPlanner", parked, 5, new InvalidOperationException("boom"), Token);
        return (client, userId);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Rows of any table of the file that belong to or mention the user.</summary>
    private static async Task<long> RowsOfAsync(LocalHostFactory factory, string userId)
    {
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync(Token);
        long rows = 0;
        foreach (var table in new[] { "documents", "reminders" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM {table} WHERE pk = $user OR instr(body, $user) > 0";
            command.Parameters.AddWithValue("$user", userId);
            rows += (long)(await command.ExecuteScalarAsync(Token))!;
        }

        return rows;
    }

    [Fact]
    public async Task The_export_holds_interviews_with_history_settings_reminders_and_records()
    {
        using var factory = new LocalHostFactory();
        var (client, userId) = await BusyUserAsync(factory);
        using var other = factory.ClientFor(LocalHostFactory.NewUser());
        await other.ScheduleAsync(factory);

        var response = await client.GetPathAsync("/api/me/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var export = await response.JsonAsync();

        Assert.Equal(userId, export["userId"]!.GetValue<string>());
        var interviews = export["interviews"]!.AsArray();
        Assert.Equal(2, interviews.Count);
        Assert.All(interviews, i => Assert.Equal(userId, i!["userId"]!.GetValue<string>()));
        Assert.Contains(interviews, i => i!["rescheduleHistory"]!.AsArray().Count == 1 && i["preparationQuestions"]![0]!["question"]!.GetValue<string>() == "Why us?");
        Assert.Contains(interviews, i => i!["thankYouNoteSent"]!.GetValue<bool>());
        Assert.Equal([30, 1440], export["reminders"]!["notificationSettings"]!["reminderMinutesBefore"]!.AsArray().Select(m => m!.GetValue<int>()));
        Assert.NotEmpty(export["reminders"]!["reminders"]!.AsArray());
        var records = export["records"]!.AsArray();
        Assert.Contains(records, r => r!["kind"]!.GetValue<string>() == "event");
        Assert.Contains(records, r => r!["kind"]!.GetValue<string>() == "idempotency");
    }

    [Theory]
    [InlineData("")]
    [InlineData("?confirm=false")]
    [InlineData("?confirm=TRUE")]
    [InlineData("?confirm=true&confirm=true")]
    public async Task Erasure_without_confirm_true_is_a_400_naming_confirm_and_erases_nothing(string query)
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        await client.ScheduleAsync(factory);
        var response = await client.DeleteAsync("/api/me" + query, Token);
        await response.AssertInvalidFieldAsync("confirm");
        Assert.Single((await (await client.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task Erasure_leaves_nothing_of_the_user_in_any_store_and_nothing_of_others_is_touched()
    {
        using var factory = new LocalHostFactory();
        var (client, userId) = await BusyUserAsync(factory);
        var (bob, bobId) = await BusyUserAsync(factory);
        Assert.True(await RowsOfAsync(factory, userId) > 10);
        var bobsRows = await RowsOfAsync(factory, bobId);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me?confirm=true", Token)).StatusCode);

        Assert.Equal(0, await RowsOfAsync(factory, userId));
        Assert.Empty((await (await client.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray());
        Assert.Equal(bobsRows, await RowsOfAsync(factory, bobId));
        Assert.Equal(2, (await (await bob.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray().Count);
        var dead = await factory.Services.GetRequiredService<DeadLetters>().ListAsync(100, Token);
        Assert.DoesNotContain(dead, d => d.Letter.UserId.ToString("D") == userId);
        Assert.Contains(dead, d => d.Letter.UserId.ToString("D") == bobId);

        // Erasing again finds nothing and is still a 204; the export is then empty.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me?confirm=true", Token)).StatusCode);
        var export = await (await client.GetPathAsync("/api/me/export")).JsonAsync();
        Assert.Empty(export["interviews"]!.AsArray());
        Assert.Null(export["reminders"]!["notificationSettings"]);
        Assert.Empty(export["records"]!.AsArray());
        client.Dispose();
        bob.Dispose();
    }

    [Fact]
    public async Task Expired_documents_are_erased_too()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        await client.ScheduleAsync(factory, daysAhead: 30);
        var userId = (await (await client.GetPathAsync("/api/me/export")).JsonAsync())["userId"]!.GetValue<string>();
        // Past the events' time to live (7 days) and the idempotency records' (24 hours).
        factory.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me?confirm=true", Token)).StatusCode);
        Assert.Equal(0, await RowsOfAsync(factory, userId));
    }

    [Fact]
    public async Task An_export_of_many_interviews_is_complete_across_pages()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        for (var i = 0; i < 450; i++)
        {
            await client.ScheduleAsync(factory, daysAhead: 1 + (i / 100.0));
        }

        var export = await (await client.GetPathAsync("/api/me/export")).JsonAsync();
        Assert.Equal(450, export["interviews"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(450, export["records"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me?confirm=true", Token)).StatusCode);
        Assert.Equal(0, await RowsOfAsync(factory, export["userId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Other_features_plug_in_their_own_exporter_and_eraser()
    {
        var feature = new FakeFeature();
        using var factory = new LocalHostFactory
        {
            ExtraServices = services =>
            {
                services.AddSingleton<IUserDataExporter>(feature);
                services.AddSingleton<IUserDataEraser>(feature);
            },
        };
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var export = await (await client.GetPathAsync("/api/me/export")).JsonAsync();
        Assert.Equal("""[{"provider":"google"}]""", export["calendarConnections"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/me?confirm=true", Token)).StatusCode);
        Assert.Equal([export["userId"]!.GetValue<string>()], feature.Erased.Select(u => u.ToString("D")));
    }

    private sealed class FakeFeature : IUserDataExporter, IUserDataEraser
    {
        public List<Guid> Erased { get; } = [];

        public string Section => "calendarConnections";

        public Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken)
        {
            JsonSerializer.Serialize(writer, new JsonArray(new JsonObject { ["provider"] = "google" }));
            return Task.CompletedTask;
        }

        public Task EraseAsync(Guid userId, CancellationToken cancellationToken)
        {
            Erased.Add(userId);
            return Task.CompletedTask;
        }
    }
}
