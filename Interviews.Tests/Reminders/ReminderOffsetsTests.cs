using System.Net;
using System.Text.Json.Nodes;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;

namespace Interviews.Tests.Reminders;

/// <summary>An interview's own reminder offsets take the place of the user's; an empty list plans none before it.</summary>
public sealed class ReminderOffsetsTests
{
    private static readonly NotificationSettings Settings = NotificationSettings.Default with { ReminderMinutesBefore = [60, 1440] };

    private static IEnumerable<int?> BeforeOffsets(IReadOnlyList<PlannedReminder> planned) =>
        planned.Where(p => p.Kind == ReminderKind.Before).Select(p => p.MinutesBefore).Order();

    [Fact]
    public void An_interview_with_offsets_of_its_own_is_reminded_at_those_and_not_at_the_users()
    {
        var interview = new InterviewBuilder().RemindingAt(10, 120).Build();

        var planned = ReminderSchedule.Plan(interview, Settings);

        Assert.Equal([10, 120], BeforeOffsets(planned));
        Assert.Contains(planned, p => p.Kind == ReminderKind.Before && p.DueAt == interview.ScheduledAt.AddMinutes(-10));
    }

    [Fact]
    public void An_empty_list_plans_no_reminder_before_the_interview_but_keeps_the_nudges()
    {
        var planned = ReminderSchedule.Plan(new InterviewBuilder().RemindingAt().Build(), Settings);

        Assert.Empty(BeforeOffsets(planned));
        Assert.Contains(planned, p => p.Kind == ReminderKind.PrepareNudge);
    }

    [Fact]
    public void Without_offsets_of_its_own_the_users_apply()
    {
        Assert.Equal([60, 1440], BeforeOffsets(ReminderSchedule.Plan(new InterviewBuilder().Build(), Settings)));
    }

    [Fact]
    public void Turning_reminders_off_in_the_settings_turns_off_the_interviews_own_too()
    {
        Assert.Empty(ReminderSchedule.Plan(new InterviewBuilder().RemindingAt(10).Build(), Settings with { RemindersEnabled = false }));
    }
}

/// <summary>The interview's offsets end to end: what is e-mailed, and what an update of them re-plans.</summary>
public sealed class ReminderOffsetsEmailTests : ReminderScenario
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    // The user's offsets are the defaults, 60 and 1440 minutes; no nudges, so that only reminders before arrive.
    protected override object? InitialSettings => new { nudgesEnabled = false };

    private static JsonObject Body(params int[] offsets) =>
        ApiClient.ScheduleRequest(Start, ("reminderMinutesBefore", new JsonArray([.. offsets.Select(m => (JsonNode)m)])));

    private async Task<string> ScheduleAsync(params int[] offsets)
    {
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/interviews", Body(offsets).ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await PumpAndSendAsync();
        return (await response.JsonAsync())["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task The_reminder_comes_at_the_interviews_offset_and_not_at_the_users()
    {
        await ScheduleAsync(30);

        await RunAtAsync(Start.AddMinutes(-1440));
        await RunAtAsync(Start.AddMinutes(-60));
        Assert.Empty(Smtp.Messages);
        await RunAtAsync(Start.AddMinutes(-30));

        Assert.StartsWith("Reminder: Video interview in 30 minutes", Assert.Single(Smtp.Messages).Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updating_only_the_offsets_drops_the_old_reminders_and_plans_the_new_ones()
    {
        var id = await ScheduleAsync(30);

        var update = Body(10);
        update.Remove("scheduledAt");
        Assert.Equal(HttpStatusCode.OK, (await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", update.ToJsonString())).StatusCode);
        await PumpAndSendAsync();

        await RunAtAsync(Start.AddMinutes(-30));
        Assert.Empty(Smtp.Messages);
        await RunAtAsync(Start.AddMinutes(-10));
        Assert.StartsWith("Reminder: Video interview in 10 minutes", Assert.Single(Smtp.Messages).Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_interview_with_an_empty_list_gets_no_reminder_before_it()
    {
        await ScheduleAsync();

        await RunAtAsync(Start.AddMinutes(-1440));
        await RunAtAsync(Start.AddMinutes(-60));
        await RunAtAsync(Start.AddMinutes(-1));

        Assert.Empty(Smtp.Messages);
    }
}
