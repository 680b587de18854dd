using Interviews.Domain;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;

namespace Interviews.Tests.Reminders;

/// <summary>Quiet hours in the user's zone: a reminder that would fall in them goes just before they begin, never later.</summary>
public sealed class QuietHoursTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly QuietHours Night = new(new TimeOnly(22, 0), new TimeOnly(7, 0));

    /// <summary>A Berlin wall-clock time in March 2026 (UTC+1 until the 29th).</summary>
    private static DateTimeOffset BerlinAt(int day, int hour, int minute) => new DateTimeOffset(2026, 3, day, hour, minute, 0, TimeSpan.FromHours(1)).ToUniversalTime();

    [Fact]
    public void A_time_outside_quiet_hours_stays()
    {
        Assert.Equal(BerlinAt(10, 7, 0), Night.Shift(BerlinAt(10, 7, 0), Berlin));
        Assert.Equal(BerlinAt(10, 21, 59), Night.Shift(BerlinAt(10, 21, 59), Berlin));
    }

    [Fact]
    public void A_time_in_the_evening_part_moves_to_just_before_they_begin_that_evening()
    {
        Assert.Equal(BerlinAt(10, 21, 59), Night.Shift(BerlinAt(10, 22, 0), Berlin));
        Assert.Equal(BerlinAt(10, 21, 59), Night.Shift(BerlinAt(10, 23, 45), Berlin));
    }

    [Fact]
    public void A_time_after_midnight_moves_to_the_evening_before()
    {
        Assert.Equal(BerlinAt(9, 21, 59), Night.Shift(BerlinAt(10, 6, 59), Berlin));
    }

    [Fact]
    public void Quiet_hours_within_one_day_move_to_their_own_start()
    {
        var lunch = new QuietHours(new TimeOnly(12, 0), new TimeOnly(13, 30));
        Assert.Equal(BerlinAt(10, 11, 59), lunch.Shift(BerlinAt(10, 13, 0), Berlin));
        Assert.Equal(BerlinAt(10, 13, 30), lunch.Shift(BerlinAt(10, 13, 30), Berlin));
    }

    [Fact]
    public void Quiet_hours_that_begin_in_the_hour_a_clock_change_skips_begin_after_it()
    {
        // Berlin skips 02:00-03:00 on Sunday 29 March 2026; quiet hours from 02:30 begin at 03:00 CEST (01:00Z) that night.
        var early = new QuietHours(new TimeOnly(2, 30), new TimeOnly(6, 0));
        var due = new DateTimeOffset(2026, 3, 29, 5, 0, 0, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 0, 59, 0, TimeSpan.Zero), early.Shift(due, Berlin));
    }

    [Fact]
    public void Planned_reminders_in_quiet_hours_move_before_them_and_two_that_land_together_go_once()
    {
        // 07:30 in Berlin: the 1-hour and 2-hour reminders (06:30, 05:30) both fall in the night and land at 21:59 the evening before.
        var interview = new InterviewBuilder().InZone("Europe/Berlin").ScheduledFor(BerlinAt(10, 7, 30)).Build();
        var settings = NotificationSettings.Default with { ReminderMinutesBefore = [60, 120, 1440], NudgesEnabled = false, QuietHours = Night };

        var planned = ReminderSchedule.Plan(interview, settings);

        Assert.Equal([(1440, BerlinAt(9, 7, 30)), (60, BerlinAt(9, 21, 59))], planned.Select(p => (p.MinutesBefore!.Value, p.DueAt)).OrderBy(p => p.DueAt));
        Assert.All(planned, p => Assert.True(p.DueAt < interview.ScheduledAt));
    }

    [Fact]
    public void The_user_s_zone_decides_what_is_quiet_over_the_interview_s()
    {
        // 14:00 in New York is 19:00 in Berlin: the 1-hour reminder (18:00 in Berlin) falls in a Berlin user's quiet evening, not in New York's.
        var interview = new InterviewBuilder().InZone("America/New_York").ScheduledFor(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.FromHours(-4))).Build();
        var evening = new QuietHours(new TimeOnly(18, 0), new TimeOnly(23, 0));
        var settings = NotificationSettings.Default with { ReminderMinutesBefore = [60], NudgesEnabled = false, QuietHours = evening, Timezone = "Europe/Berlin" };

        var planned = Assert.Single(ReminderSchedule.Plan(interview, settings));

        Assert.Equal(BerlinAt(10, 17, 59), planned.DueAt);
        Assert.Equal(interview.ScheduledAt.AddMinutes(-60), Assert.Single(ReminderSchedule.Plan(interview, settings with { Timezone = null })).DueAt);
    }
}

/// <summary>Quiet hours end to end: the reminder goes out, over SMTP, before the quiet hours it would have fallen in.</summary>
public sealed class QuietHoursEmailTests : ReminderScenario
{
    protected override object? InitialSettings => new
    {
        nudgesEnabled = false, reminderMinutesBefore = new[] { 60 }, timezone = "Europe/Berlin", quietHours = new { start = "22:00", end = "07:00" },
    };

    [Fact]
    public async Task A_reminder_due_at_night_arrives_the_evening_before()
    {
        // 07:30 in Berlin on 10 March (06:30Z): its 1-hour reminder would come at 06:30, in the quiet hours.
        var scheduled = await Client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(new DateTimeOffset(2026, 3, 10, 6, 30, 0, TimeSpan.Zero), ("timezone", "Europe/Berlin")).ToJsonString());
        Assert.Equal(System.Net.HttpStatusCode.Created, scheduled.StatusCode);
        await PumpAndSendAsync();

        await RunAtAsync(new DateTimeOffset(2026, 3, 9, 20, 58, 0, TimeSpan.Zero));
        Assert.Empty(Smtp.Messages);
        await RunAtAsync(new DateTimeOffset(2026, 3, 9, 20, 59, 0, TimeSpan.Zero));
        var reminder = Assert.Single(Smtp.Messages);
        Assert.StartsWith("Reminder: Video interview in 10 hours", reminder.Subject, StringComparison.Ordinal);

        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 5, 30, 0, TimeSpan.Zero));
        Assert.Single(Smtp.Messages);
    }
}
