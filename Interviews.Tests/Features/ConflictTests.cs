using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Features;

/// <summary>Conflict warnings: overlapping interviews, or ones closer than the buffer (default 30 minutes), still succeed and are listed.</summary>
public sealed class ConflictTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    /// <summary>Tomorrow 10:00 UTC on the factory's clock.</summary>
    private DateTimeOffset Ten => new DateTimeOffset(factory.Clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).AddDays(1).AddHours(10);

    private static string Instant(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonObject> ScheduleAtAsync(HttpClient client, DateTimeOffset at, int duration = 60)
    {
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(at, ("duration", duration)).ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    private static async Task<JsonArray> ConflictsOfAsync(HttpClient client, JsonObject interview) =>
        (await (await client.GetPathAsync($"/api/interviews/{interview["id"]}")).JsonAsync())["conflicts"]!.AsArray();

    [Fact]
    public async Task An_overlapping_interview_is_scheduled_and_both_show_the_conflict()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var first = await ScheduleAtAsync(client, Ten);
        Assert.Empty(first["conflicts"]!.AsArray());

        var second = await ScheduleAtAsync(client, Ten.AddMinutes(45));
        var conflict = Assert.Single(second["conflicts"]!.AsArray())!.AsObject();
        Assert.Equal(first["id"]!.GetValue<string>(), conflict["interviewId"]!.GetValue<string>());
        Assert.Equal(Instant(Ten), conflict["scheduledAt"]!.GetValue<string>());
        Assert.Equal(Instant(Ten.AddHours(1)), conflict["endsAt"]!.GetValue<string>());
        Assert.Equal(15, conflict["overlapMinutes"]!.GetValue<int>());
        Assert.Equal(0, conflict["gapMinutes"]!.GetValue<int>());

        var back = Assert.Single(await ConflictsOfAsync(client, first))!.AsObject();
        Assert.Equal(second["id"]!.GetValue<string>(), back["interviewId"]!.GetValue<string>());
        Assert.Equal(15, back["overlapMinutes"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(61, true)]   // 1 minute after the end: within the buffer
    [InlineData(89, true)]   // 29 minutes after
    [InlineData(90, false)]  // exactly the buffer: no conflict
    [InlineData(-89, true)]  // ends 29 minutes before
    [InlineData(-90, false)] // ends 30 minutes before
    public async Task An_interview_closer_than_30_minutes_conflicts_and_one_30_minutes_away_does_not(int minutesAfterStart, bool conflicts)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        await ScheduleAtAsync(client, Ten);
        var other = await ScheduleAtAsync(client, Ten.AddMinutes(minutesAfterStart));
        var list = other["conflicts"]!.AsArray();
        Assert.Equal(conflicts, list.Count == 1);
        if (conflicts)
        {
            Assert.Equal(0, list[0]!["overlapMinutes"]!.GetValue<int>());
            Assert.Equal(Math.Abs(minutesAfterStart) - 60, list[0]!["gapMinutes"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task An_8_hour_interview_that_started_long_before_is_still_found()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var longOne = await ScheduleAtAsync(client, Ten.AddHours(-8), duration: 480);
        var after = await ScheduleAtAsync(client, Ten.AddMinutes(15));
        Assert.Equal(longOne["id"]!.GetValue<string>(), Assert.Single(after["conflicts"]!.AsArray())!["interviewId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancelled_and_completed_interviews_never_conflict()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var soon = factory.Clock.GetUtcNow().AddHours(1);
        var done = await ScheduleAtAsync(client, soon);
        var cancelled = await ScheduleAtAsync(client, soon.AddMinutes(10));
        var open = await ScheduleAtAsync(client, soon.AddMinutes(20));
        Assert.Equal(2, open["conflicts"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/interviews/{cancelled["id"]}", TestContext.Current.CancellationToken)).StatusCode);
        factory.Clock.Advance(TimeSpan.FromHours(1.1));
        var completed = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{done["id"]}/complete", new { });
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        Assert.Empty((await completed.JsonAsync())["conflicts"]!.AsArray());

        Assert.Empty(await ConflictsOfAsync(client, open));
        Assert.Empty(await ConflictsOfAsync(client, cancelled));
    }

    [Fact]
    public async Task Rescheduling_into_and_out_of_a_conflict_answers_the_current_conflicts()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var first = await ScheduleAtAsync(client, Ten);
        var second = await ScheduleAtAsync(client, Ten.AddHours(4));

        var into = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{second["id"]}/reschedule", new { newDateTime = Instant(Ten.AddMinutes(30)), initiatedBy = "Company" });
        Assert.Equal(HttpStatusCode.OK, into.StatusCode);
        Assert.Equal(30, Assert.Single((await into.JsonAsync())["conflicts"]!.AsArray())!["overlapMinutes"]!.GetValue<int>());

        var away = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{second["id"]}/reschedule", new { newDateTime = Instant(Ten.AddHours(6)), initiatedBy = "Candidate" });
        Assert.Empty((await away.JsonAsync())["conflicts"]!.AsArray());
        Assert.Empty(await ConflictsOfAsync(client, first));
    }

    [Fact]
    public async Task Lengthening_an_interview_in_an_update_can_make_it_conflict()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var first = await ScheduleAtAsync(client, Ten);
        await ScheduleAtAsync(client, Ten.AddHours(3));
        var update = ApiClient.ScheduleRequest(Ten, ("duration", 180));
        var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{first["id"]}", update.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Now back to back with the other one: no overlap, no gap, but within the buffer.
        var conflict = Assert.Single((await response.JsonAsync())["conflicts"]!.AsArray())!;
        Assert.Equal((0, 0), (conflict["overlapMinutes"]!.GetValue<int>(), conflict["gapMinutes"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Another_users_interviews_never_conflict()
    {
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        var hers = await ScheduleAtAsync(alice, Ten);
        var his = await ScheduleAtAsync(bob, Ten);
        Assert.Empty(his["conflicts"]!.AsArray());
        Assert.Empty(await ConflictsOfAsync(alice, hers));
    }

    [Fact]
    public async Task List_items_carry_no_conflicts()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        await ScheduleAtAsync(client, Ten);
        await ScheduleAtAsync(client, Ten);
        var items = (await (await client.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray();
        Assert.All(items, i => Assert.False(i!.AsObject().ContainsKey("conflicts")));
    }

    [Fact]
    public async Task The_buffer_is_a_setting()
    {
        using var factory = LocalHostFactory.WithSettings(new Dictionary<string, string?> { ["Interviews:ConflictBuffer"] = "00:00:00" });
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var ten = factory.Clock.GetUtcNow().AddDays(1);
        await ScheduleAtAsync(client, ten);
        Assert.Empty((await ScheduleAtAsync(client, ten.AddMinutes(60)))["conflicts"]!.AsArray());
        Assert.Single((await ScheduleAtAsync(client, ten.AddMinutes(-59)))["conflicts"]!.AsArray());
    }

    [Fact]
    public void A_negative_buffer_stops_the_host_with_a_message_naming_the_setting()
    {
        using var factory = LocalHostFactory.WithSettings(new Dictionary<string, string?> { ["Interviews:ConflictBuffer"] = "-00:05:00" });
        var error = Assert.ThrowsAny<Exception>(() => factory.ClientFor(null));
        Assert.Contains("Interviews:ConflictBuffer", error.ToString(), StringComparison.Ordinal);
    }
}
