using Interviews.Functions.Interviews;
using Interviews.Domain;
using Interviews.Functions.Events;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Reminders;

/// <summary>
/// Keeps each interview's reminders in line with its current state: on every event of an interview it
/// plans again (<see cref="ReminderSchedule"/>), creates what is new, and deletes what is no longer
/// wanted unless it was already sent. When the user's settings change it re-plans their open interviews.
/// An interview cancelled or moved after one of its e-mails went out (each carries its invitation) gets
/// one more that corrects the invitation: the <see cref="ReminderKind.Cancellation"/> that withdraws it,
/// or the <see cref="ReminderKind.Moved"/> that moves it — unless it was imported from the company's
/// invitation, whose e-mails carry none.
/// Idempotent: planning twice for the same state changes nothing the second time.
/// </summary>
public sealed partial class ReminderPlanner(
    IInterviewReader interviews,
    NotificationSettingsStore settingsStore,
    ReminderStore reminders,
    TimeProvider time,
    ILogger<ReminderPlanner> logger) : IEventHandler<IDomainEvent>, IEventHandler<NotificationSettingsChanged>
{
    public const string HandlerName = "reminders";

    public string Name => HandlerName;

    public async Task HandleAsync(IDomainEvent recorded, CancellationToken cancellationToken)
    {
        var (settings, _) = await settingsStore.GetAsync(recorded.UserId, cancellationToken);
        var interview = await interviews.FindAsync(recorded.UserId, recorded.InterviewId, cancellationToken);
        await PlanAsync(recorded.UserId, recorded.InterviewId, interview, settings, cancellationToken);
    }

    public async Task HandleAsync(NotificationSettingsChanged recorded, CancellationToken cancellationToken)
    {
        var (settings, _) = await settingsStore.GetAsync(recorded.UserId, cancellationToken);
        await ReplanOpenInterviewsAsync(recorded.UserId, settings, cancellationToken);
    }

    private async Task ReplanOpenInterviewsAsync(Guid userId, NotificationSettings settings, CancellationToken cancellationToken)
    {
        await foreach (var interview in interviews.ListAsync(userId, time.GetUtcNow(), openOnly: true, cancellationToken))
        {
            await PlanAsync(userId, interview.Id, interview, settings, cancellationToken);
        }
    }

    private async Task PlanAsync(Guid userId, Guid interviewId, Interview? interview, NotificationSettings settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (plan, planETag) = await reminders.GetPlanAsync(userId, interviewId, cancellationToken);
        var wanted = ReminderSchedule.Plan(interview, settings);
        if (await CorrectionAsync(interview, plan, wanted, now, cancellationToken) is { } correction)
        {
            wanted = [.. wanted, correction];
        }

        var planned = plan.Entries.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var entries = new List<ReminderPlanEntry>();

        // Drop what is no longer wanted, unless it went out already (then it stays as history).
        foreach (var entry in plan.Entries.Where(e => !wanted.Any(w => w.Id == e.Id)))
        {
            var existing = await reminders.GetAsync(entry.Hour, entry.Id, cancellationToken);
            if (existing is { Reminder.Status: ReminderStatus.Sent } || entry.Id.StartsWith(ReminderSchedule.DigestPrefix, StringComparison.Ordinal))
            {
                // A digest is shared by the day's interviews: it stays (the sender drops it if the day has none left), and
                // stays in the plan, where a user's erasure finds it.
                entries.Add(entry);
            }
            else if (existing is { } found)
            {
                await reminders.DeleteAsync(entry.Hour, entry.Id, found.ETag, cancellationToken);
            }
        }

        // Of the "before" reminders whose time has passed, only the latest is worth sending (at once, if
        // it is not planned already); nudges whose time has passed are not sent late.
        var latestPassed = wanted.Where(w => w.Kind == ReminderKind.Before && w.DueAt <= now).MaxBy(w => w.DueAt);
        foreach (var reminder in wanted)
        {
            if (planned.TryGetValue(reminder.Id, out var kept))
            {
                entries.Add(kept);
                continue;
            }

            var passed = reminder.DueAt <= now;
            if (passed && !ReminderSchedule.CorrectsInvitation(reminder.Kind) && (reminder != latestPassed || !ReminderSchedule.StillRelevant(reminder.Kind, interview, now)))
            {
                continue;
            }

            var sendAfter = passed ? now : reminder.DueAt;
            var hour = ReminderStore.Hour(sendAfter);
            await reminders.CreateAsync(
                hour,
                reminder.Id,
                new Reminder(userId, interviewId, reminder.Kind, reminder.MinutesBefore, reminder.DueAt, sendAfter, ReminderStatus.Due, 0, null, null),
                cancellationToken);
            entries.Add(new ReminderPlanEntry(reminder.Id, hour, reminder.DueAt));
        }

        if (!entries.Select(e => e.Id).SequenceEqual(plan.Entries.Select(e => e.Id)))
        {
            if (!await reminders.SavePlanAsync(userId, new ReminderPlan(interviewId, entries), planETag, cancellationToken))
            {
                // Another delivery changed the plan meanwhile: fail, so that the pump retries on the fresh plan.
                throw new InvalidOperationException($"The reminder plan of interview {interviewId} changed during planning.");
            }

            LogPlanned(logger, interviewId, entries.Count);
        }
    }

    /// <summary>
    /// The e-mail an invitation already e-mailed needs, if any: the CANCEL of a cancelled interview, or
    /// the REQUEST of one moved since the last invitation went out — unless a reminder goes at once
    /// anyway, which carries the same REQUEST. None for an interview whose e-mails carry no invitation
    /// (imported from the company's): the company's own update or cancellation corrects its event.
    /// </summary>
    private async Task<PlannedReminder?> CorrectionAsync(
        Interview? interview, ReminderPlan plan, IReadOnlyList<PlannedReminder> wanted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (interview is not null && !ReminderEmail.AttachesInvitation(interview))
        {
            return null;
        }

        var cancelled = interview is { Status: InterviewStatus.Cancelled };
        var moved = interview is { RescheduleHistory.Count: > 0 } && ReminderSchedule.StillRelevant(ReminderKind.Moved, interview, now)
            && !wanted.Any(w => w.Kind == ReminderKind.Before && w.DueAt <= now);
        if (!(cancelled || moved) || await LastInvitationSentAsync(plan, cancellationToken) is not { } lastSent)
        {
            return null;
        }

        if (cancelled)
        {
            return ReminderSchedule.CancellationOf(interview!);
        }

        // At the same instant the e-mail may have been written from the state before the move: send the update.
        return lastSent <= interview!.RescheduleHistory[^1].RescheduledAt ? ReminderSchedule.MoveOf(interview) : null;
    }

    /// <summary>When the interview's last e-mail went out (each carries its invitation), a cancellation aside; null when none did.</summary>
    private async Task<DateTimeOffset?> LastInvitationSentAsync(ReminderPlan plan, CancellationToken cancellationToken)
    {
        DateTimeOffset? last = null;
        foreach (var entry in plan.Entries)
        {
            if (await reminders.GetAsync(entry.Hour, entry.Id, cancellationToken) is
                { Reminder: { Status: ReminderStatus.Sent, ReminderKind: not ReminderKind.Cancellation, SentAt: { } sentAt } } && (last is null || sentAt > last))
            {
                last = sentAt;
            }
        }

        return last;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interview {InterviewId} has {Count} reminders planned")]
    private static partial void LogPlanned(ILogger logger, Guid interviewId, int count);
}
