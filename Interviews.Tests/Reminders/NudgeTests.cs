using System.Net;
using Interviews.Tests.Support;

namespace Interviews.Tests.Reminders;

/// <summary>The nudges: prepare (48 h before, while nothing is prepared), thank-you (24 h after completion), follow-up (5 business days).</summary>
public sealed class NudgeTests : ReminderScenario
{
    protected override string Address => "nudged@example.com";

    // Only the nudges here: no reminders before the interview.
    protected override object? InitialSettings => new { reminderMinutesBefore = Array.Empty<int>() };

    private Task RunAsync(DateTimeOffset at) => RunAtAsync(at);

    private async Task<string> ScheduleAsync(string at)
    {
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(default, ("scheduledAt", at), ("timezone", "Europe/London")).ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync())["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task The_prepare_nudge_comes_48_hours_before_unless_the_candidate_prepared()
    {
        await ScheduleAsync("2026-03-10T14:00:00Z");
        var prepared = await ScheduleAsync("2026-03-10T16:00:00Z");
        await RunAsync(Factory.Clock.GetUtcNow());
        await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{prepared}/prepare", new { researchCompleted = true });
        await RunAsync(new DateTimeOffset(2026, 3, 8, 13, 59, 0, TimeSpan.Zero));
        Assert.Empty(Smtp.Messages);

        await RunAsync(new DateTimeOffset(2026, 3, 8, 16, 0, 0, TimeSpan.Zero));
        var nudge = Assert.Single(Smtp.Messages);
        Assert.StartsWith("Prepare for your video interview on Tuesday 10 March 2026, 14:00", nudge.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_thank_you_nudge_comes_a_day_after_completion_unless_a_note_was_recorded()
    {
        var id = await ScheduleAsync("2026-03-03T10:00:00Z");
        await RunAsync(new DateTimeOffset(2026, 3, 3, 11, 0, 0, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.OK, (await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { performanceRating = 4 })).StatusCode);
        await RunAsync(new DateTimeOffset(2026, 3, 4, 10, 59, 0, TimeSpan.Zero));
        Assert.Empty(Smtp.Messages);
        await RunAsync(new DateTimeOffset(2026, 3, 4, 11, 0, 0, TimeSpan.Zero));
        var nudge = Assert.Single(Smtp.Messages);
        Assert.Equal("Send a thank-you note for your video interview", nudge.Subject);
        Assert.Contains("no thank-you note is recorded for Jane Smith and John Doe.", nudge.TextBody, StringComparison.Ordinal);

        var other = await ScheduleAsync("2026-03-05T10:00:00Z");
        await RunAsync(new DateTimeOffset(2026, 3, 5, 11, 0, 0, TimeSpan.Zero));
        await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{other}/complete", new { performanceRating = 4 });
        await RunAsync(new DateTimeOffset(2026, 3, 5, 12, 0, 0, TimeSpan.Zero));
        await Client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{other}/thank-you", new { recipients = new[] { "jane@techcorp.com", "John Doe" }, method = "Email" });
        await RunAsync(new DateTimeOffset(2026, 3, 6, 13, 0, 0, TimeSpan.Zero));
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task The_thank_you_nudge_names_only_the_interviewers_no_recorded_note_names()
    {
        var id = await ScheduleAsync("2026-03-03T10:00:00Z");
        await RunAsync(new DateTimeOffset(2026, 3, 3, 11, 0, 0, TimeSpan.Zero));
        await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { performanceRating = 4 });
        // The note went to Jane (by her address); John Doe has none yet.
        await Client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", new { recipients = new[] { "jane@techcorp.com" }, method = "Email" });
        await RunAsync(new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.Zero));
        await RunAsync(new DateTimeOffset(2026, 3, 4, 11, 0, 0, TimeSpan.Zero));

        var nudge = Assert.Single(Smtp.Messages);
        Assert.Contains("no thank-you note is recorded yet for John Doe.", nudge.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("for Jane", nudge.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Turning_nudges_off_stops_a_planned_nudge()
    {
        var id = await ScheduleAsync("2026-03-03T10:00:00Z");
        await RunAsync(new DateTimeOffset(2026, 3, 3, 11, 0, 0, TimeSpan.Zero));
        await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { performanceRating = 4 });
        await RunAsync(new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.Zero));
        var off = await Client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { reminderMinutesBefore = Array.Empty<int>(), nudgesEnabled = false });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        await RunAsync(new DateTimeOffset(2026, 3, 4, 12, 0, 0, TimeSpan.Zero));
        Assert.Empty(Smtp.Messages);
    }

    [Fact]
    public async Task The_follow_up_nudge_comes_five_business_days_later_at_nine_local_time()
    {
        // Completed on Thursday 5 March: five business days later is Thursday 12 March, 09:00 in London (UTC+0).
        var id = await ScheduleAsync("2026-03-05T10:00:00Z");
        await RunAsync(new DateTimeOffset(2026, 3, 5, 11, 0, 0, TimeSpan.Zero));
        await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { followUpRequired = true });
        await Client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", new { recipients = new[] { "jane@techcorp.com" }, method = "Email" });
        await RunAsync(new DateTimeOffset(2026, 3, 12, 8, 59, 0, TimeSpan.Zero));
        Assert.Empty(Smtp.Messages);
        await RunAsync(new DateTimeOffset(2026, 3, 12, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal("Time to follow up on your video interview", Assert.Single(Smtp.Messages).Subject);
    }
}
