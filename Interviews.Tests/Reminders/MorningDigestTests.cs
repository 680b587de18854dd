using System.Net;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;

namespace Interviews.Tests.Reminders;

/// <summary>The morning digest: one e-mail a day, at the user's time, listing that day's interviews with their join links.</summary>
public sealed class MorningDigestTests
{
    private static readonly NotificationSettings Settings = NotificationSettings.Default with
    {
        ReminderMinutesBefore = [], NudgesEnabled = false, Timezone = "Europe/Berlin", MorningDigestAt = new TimeOnly(7, 30),
    };

    /// <summary>A Berlin wall-clock time in March 2026 (UTC+1 until the 29th).</summary>
    private static DateTimeOffset BerlinAt(int day, int hour, int minute) => new DateTimeOffset(2026, 3, day, hour, minute, 0, TimeSpan.FromHours(1)).ToUniversalTime();

    [Fact]
    public void The_interviews_of_one_day_plan_the_same_digest_at_the_user_s_time()
    {
        var user = Guid.NewGuid();
        var morning = new InterviewBuilder().ForUser(user).ScheduledFor(BerlinAt(10, 10, 0)).Build();
        var afternoon = new InterviewBuilder().ForUser(user).ScheduledFor(BerlinAt(10, 15, 0)).Build();

        var first = Assert.Single(ReminderSchedule.Plan(morning, Settings));
        var second = Assert.Single(ReminderSchedule.Plan(afternoon, Settings));

        Assert.Equal(ReminderKind.MorningDigest, first.Kind);
        Assert.Equal(BerlinAt(10, 7, 30), first.DueAt);
        Assert.Equal(first.Id, second.Id);
    }

    [Fact]
    public void An_interview_before_the_digest_time_plans_no_digest()
    {
        var early = new InterviewBuilder().ScheduledFor(BerlinAt(10, 7, 0)).Build();
        Assert.Empty(ReminderSchedule.Plan(early, Settings));
        Assert.Empty(ReminderSchedule.Plan(new InterviewBuilder().ScheduledFor(BerlinAt(10, 10, 0)).Build(), Settings with { MorningDigestAt = null }));
    }
}

/// <summary>The digest end to end, over SMTP.</summary>
public sealed class MorningDigestEmailTests : ReminderScenario
{
    protected override object? InitialSettings => new
    {
        nudgesEnabled = false, reminderMinutesBefore = Array.Empty<int>(), timezone = "Europe/Berlin", morningDigestAt = "07:30",
    };

    private async Task<string> ScheduleAsync(DateTimeOffset at, string location)
    {
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(at, ("timezone", "Europe/Berlin"), ("location", location)).ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync())["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task One_digest_lists_the_day_s_interviews_with_their_join_links_and_a_day_left_empty_sends_none()
    {
        // Tuesday 10 March in Berlin (UTC+1): 10:00 by video, 15:00 in person; Wednesday 11 March at 11:00.
        await ScheduleAsync(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), "https://zoom.us/j/12345");
        await ScheduleAsync(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero), "Acme HQ, 1 Main Street");
        var wednesday = await ScheduleAsync(new DateTimeOffset(2026, 3, 11, 10, 0, 0, TimeSpan.Zero), "https://meet.google.com/abc-defg-hij");
        await PumpAndSendAsync();

        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 6, 29, 0, TimeSpan.Zero));
        Assert.Empty(Smtp.Messages);
        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 6, 30, 0, TimeSpan.Zero));
        var digest = Assert.Single(Smtp.Messages);
        Assert.Equal("Today: 2 interviews — Tuesday 10 March 2026", digest.Subject);
        var text = digest.TextBody!.ReplaceLineEndings("\n");
        Assert.Contains("10:00  Video interview, 60 minutes\n       With: Jane Smith, John Doe\n       Join: https://zoom.us/j/12345", text, StringComparison.Ordinal);
        Assert.Contains("15:00  Video interview, 60 minutes", text, StringComparison.Ordinal);
        Assert.Contains("Where: Acme HQ, 1 Main Street", text, StringComparison.Ordinal);
        Assert.DoesNotContain("meet.google.com", text, StringComparison.Ordinal);

        // Wednesday's only interview is cancelled: its digest finds nothing to list.
        Assert.Equal(HttpStatusCode.NoContent, (await Client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{wednesday}", null)).StatusCode);
        await PumpAndSendAsync();
        await RunAtAsync(new DateTimeOffset(2026, 3, 11, 6, 30, 0, TimeSpan.Zero));
        Assert.Single(Smtp.Messages);
    }
}
