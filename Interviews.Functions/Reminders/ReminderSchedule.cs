using Interviews.Domain;

namespace Interviews.Functions.Reminders;

public enum ReminderKind
{
    /// <summary>N minutes before the interview (the interview's own offsets when it has them, else the user's).</summary>
    Before,
    /// <summary>48 hours before, while nothing is prepared.</summary>
    PrepareNudge,
    /// <summary>24 hours after completion, while no thank-you note is recorded or some interviewer has none; it names them.</summary>
    ThankYouNudge,
    /// <summary>5 business days after completion, when follow-up is required.</summary>
    FollowUpNudge,
    /// <summary>
    /// At once when an interview is cancelled after an e-mail had carried its invitation (.ics): withdraws
    /// that invitation (METHOD:CANCEL), or the event would stay in the candidate's calendar with its alarms.
    /// </summary>
    Cancellation,
    /// <summary>
    /// At once when an interview is moved after an e-mail had carried its invitation: the REQUEST at the
    /// new time, or the calendar would keep the old slot until the next reminder.
    /// </summary>
    Moved,
    /// <summary>The user's morning digest of a day's interviews, one per day, shared by the interviews of that day.</summary>
    MorningDigest,
}

/// <summary>A reminder an interview should have: its stable id, kind and due time.</summary>
public sealed record PlannedReminder(string Id, ReminderKind Kind, int? MinutesBefore, DateTimeOffset DueAt);

/// <summary>
/// Which reminders an interview should have now, from its current state and the user's settings — a
/// pure function, so planning again for the same state plans the same reminders (same ids). Ids carry
/// the due time, so a moved interview gets new reminders and the old ones are dropped.
/// </summary>
public static class ReminderSchedule
{
    public static readonly TimeSpan PrepareNudgeBefore = TimeSpan.FromHours(48);
    public static readonly TimeSpan ThankYouNudgeAfter = TimeSpan.FromHours(24);
    public const int FollowUpBusinessDays = 5;

    /// <summary>Follow-up nudges go out at this local time of day.</summary>
    public static readonly TimeOnly FollowUpLocalTime = new(9, 0);

    public static IReadOnlyList<PlannedReminder> Plan(Interview? interview, NotificationSettings settings)
    {
        if (interview is null || !settings.RemindersEnabled)
        {
            return [];
        }

        var planned = new List<(ReminderKind Kind, int? MinutesBefore, DateTimeOffset DueAt)>();
        if (InterviewTransitions.IsOpen(interview.Status))
        {
            // The interview's own offsets override the user's; an empty list means none before it.
            planned.AddRange((interview.ReminderMinutesBefore ?? settings.ReminderMinutesBefore).Select(m => (ReminderKind.Before, (int?)m, interview.ScheduledAt.AddMinutes(-m))));
            if (settings.NudgesEnabled && !IsPrepared(interview))
            {
                planned.Add((ReminderKind.PrepareNudge, null, interview.ScheduledAt - PrepareNudgeBefore));
            }

            if (settings.MorningDigestAt is { } digestAt && DigestDue(interview, settings, digestAt) is var digest && digest < interview.ScheduledAt)
            {
                planned.Add((ReminderKind.MorningDigest, null, digest));
            }
        }

        if (settings.NudgesEnabled && interview is { Status: InterviewStatus.Completed, CompletedAt: { } completedAt })
        {
            if (NeedsThankYou(interview))
            {
                planned.Add((ReminderKind.ThankYouNudge, null, completedAt + ThankYouNudgeAfter));
            }

            if (interview.FollowUpRequired)
            {
                planned.Add((ReminderKind.FollowUpNudge, null, FollowUpDue(completedAt, interview.Timezone.Zone)));
            }
        }

        if (settings.QuietHours is { } quiet)
        {
            // Moved to just before the quiet hours they fell in; reminders before the interview that land
            // on the same instant go out once, as the latest of them (the smallest offset).
            var zone = ZoneOf(interview, settings);
            // The digest keeps the time the user chose for it.
            planned = [.. planned
                .Select(p => p.Kind == ReminderKind.MorningDigest ? p : p with { DueAt = quiet.Shift(p.DueAt, zone) })
                .GroupBy(p => (p.Kind, p.DueAt))
                .Select(g => g.MinBy(p => p.MinutesBefore ?? 0))];
        }

        return [.. planned.Select(p => Reminder(interview, p.Kind, p.MinutesBefore, p.DueAt))];
    }

    /// <summary>The digest of the interview's day (in <see cref="ZoneOf"/>) at the user's digest time.</summary>
    public static DateTimeOffset DigestDue(Interview interview, NotificationSettings settings, TimeOnly digestAt)
    {
        var zone = ZoneOf(interview, settings);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(interview.ScheduledAt, zone).DateTime);
        return QuietHours.Instant(day.ToDateTime(digestAt), zone);
    }

    /// <summary>The end of the local day (in <paramref name="zone"/>) of a digest due at <paramref name="dueAt"/>: it lists the interviews before it.</summary>
    public static DateTimeOffset DigestDayEnd(DateTimeOffset dueAt, TimeZoneInfo zone)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(dueAt, zone).DateTime);
        return QuietHours.Instant(day.AddDays(1).ToDateTime(TimeOnly.MinValue), zone);
    }

    /// <summary>The user's zone when they set one, else the interview's.</summary>
    public static TimeZoneInfo ZoneOf(Interview interview, NotificationSettings settings) =>
        settings.Timezone is { } id && IanaTimeZone.Create(id) is { IsSuccess: true } zone ? zone.Value.Zone : interview.Timezone.Zone;

    /// <summary>Whether a reminder of this kind still makes sense for the interview at <paramref name="now"/> (checked again when sending).</summary>
    public static bool StillRelevant(ReminderKind kind, Interview? interview, DateTimeOffset now) => interview is not null && kind switch
    {
        ReminderKind.Before => InterviewTransitions.IsOpen(interview.Status) && interview.ScheduledAt > now,
        ReminderKind.PrepareNudge => InterviewTransitions.IsOpen(interview.Status) && interview.ScheduledAt > now && !IsPrepared(interview),
        ReminderKind.ThankYouNudge => interview.Status == InterviewStatus.Completed && NeedsThankYou(interview),
        ReminderKind.FollowUpNudge => interview.Status == InterviewStatus.Completed && interview.FollowUpRequired,
        ReminderKind.Cancellation => interview.Status == InterviewStatus.Cancelled,
        ReminderKind.Moved => InterviewTransitions.IsOpen(interview.Status) && interview.ScheduledAt > now,
        // Whether a digest has anything to list is decided by the sender, from the day's interviews.
        ReminderKind.MorningDigest => true,
        _ => false,
    };

    /// <summary>The e-mails that correct an invitation already e-mailed (its CANCEL, or its REQUEST at a new time): sent at once, whatever the settings say now.</summary>
    public static bool CorrectsInvitation(ReminderKind kind) => kind is ReminderKind.Cancellation or ReminderKind.Moved;

    /// <summary>The e-mail that withdraws a cancelled interview's invitation, due when it was cancelled (<see cref="ReminderKind.Cancellation"/>).</summary>
    public static PlannedReminder CancellationOf(Interview interview) => Reminder(interview, ReminderKind.Cancellation, null, interview.UpdatedAt);

    /// <summary>The e-mail that moves an invitation to the interview's new time, due when it was last moved (<see cref="ReminderKind.Moved"/>).</summary>
    public static PlannedReminder MoveOf(Interview interview) => Reminder(interview, ReminderKind.Moved, null, interview.RescheduleHistory[^1].RescheduledAt);

    /// <summary>While no note is recorded, or some interviewer is not among the note's recipients.</summary>
    public static bool NeedsThankYou(Interview interview) => !interview.ThankYouNoteSent || WithoutThankYou(interview).Count > 0;

    /// <summary>
    /// The interviewers no recorded thank-you note names: all of them before a note, then those that no
    /// recipient names. Recipients are free text, often addresses, so an interviewer counts as named when
    /// a recipient holds their whole name or any word of it of 3 letters or more ("jane@acme.com" names
    /// "Jane Smith"); a recipient such as "the hiring team" names nobody.
    /// </summary>
    public static IReadOnlyList<string> WithoutThankYou(Interview interview) =>
        !interview.ThankYouNoteSent
            ? interview.Interviewers
            : [.. interview.Interviewers.Where(name => !interview.ThankYouRecipients.Any(recipient => Names(recipient, name)))];

    private static bool Names(string recipient, string interviewer) =>
        recipient.Contains(interviewer, StringComparison.OrdinalIgnoreCase)
        || interviewer.Split([' ', '-', '.', ','], StringSplitOptions.RemoveEmptyEntries)
            .Any(word => word.Length >= 3 && recipient.Contains(word, StringComparison.OrdinalIgnoreCase));

    /// <summary>Anything prepared counts: notes or any checklist item.</summary>
    public static bool IsPrepared(Interview interview) =>
        interview.PreparationNotes is not null || interview.ResearchCompleted || interview.QuestionsPrepped || interview.MaterialsGathered;

    /// <summary>09:00 in the interview's zone on the fifth weekday after the day it was completed there.</summary>
    public static DateTimeOffset FollowUpDue(DateTimeOffset completedAt, TimeZoneInfo zone)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(completedAt, zone).DateTime);
        for (var added = 0; added < FollowUpBusinessDays;)
        {
            day = day.AddDays(1);
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                added++;
            }
        }

        var local = day.ToDateTime(FollowUpLocalTime);
        // 09:00 always exists (DST changes happen at night), so the offset is unambiguous.
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The id prefix of digests: one per user and due instant, whichever of the day's interviews planned it first.</summary>
    public const string DigestPrefix = "digest-";

    private static PlannedReminder Reminder(Interview interview, ReminderKind kind, int? minutesBefore, DateTimeOffset dueAt) =>
        new(
            kind == ReminderKind.MorningDigest
                ? $"{DigestPrefix}{interview.UserId:N}-{dueAt.UtcDateTime:yyyyMMddHHmmss}"
                : $"{interview.Id:N}-{kind.ToString().ToLowerInvariant()}{minutesBefore}-{dueAt.UtcDateTime:yyyyMMddHHmmss}",
            kind,
            minutesBefore,
            dueAt.ToUniversalTime());
}
