using Interviews.Domain;
using Interviews.Functions.Calendar;
using Interviews.Functions.Diagnostics;
using Interviews.Functions.Interviews;
using Interviews.Functions.Queues;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Reminders;

/// <summary>
/// Sends one due reminder, from its queue message (<see cref="ReminderDispatcher"/> queues them).
/// Exactly once in effect: the reminder is claimed with a conditional write (Due → Sending, leased until
/// <see cref="Reminder.SendAfter"/>) before the e-mail goes out and marked Sent after, so two senders
/// never both send it, and the send is abandoned before its lease runs out. A crash after the SMTP
/// server took the message but before the Sent mark sends it once more when the lease runs out (at most
/// once more per crash, under the same Message-ID); a crash anywhere else sends it once. An SMTP failure
/// puts it back to Due with a doubling delay: it is never lost, and it is dropped only when it no longer
/// makes sense (the interview started, was cancelled…). A repeated message changes nothing: a reminder
/// already sent, dropped, waiting for its retry or claimed by a live sender is left alone.
/// </summary>
public sealed partial class ReminderSender(
    ReminderStore reminders,
    IInterviewReader interviews,
    NotificationSettingsStore settingsStore,
    IEmailSender email,
    IWorkQueue queue,
    ICalendarFiles calendarFiles,
    EmailSettings emailSettings,
    TimeProvider time,
    ILogger<ReminderSender> logger)
{
    /// <summary>The longest claim: long enough for any send (a pool wait, a connection, the message), short enough to retry soon after a crash.</summary>
    public static readonly TimeSpan MaxLease = TimeSpan.FromMinutes(5);

    /// <summary>The shortest claim, however close the interview: a send needs this much time at worst.</summary>
    public static readonly TimeSpan MinLease = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A claim before an interview ends this long before it starts, so that after a crash the dispatcher
    /// (every minute) still finds the reminder and a sender takes it over while it is worth sending.
    /// </summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromMinutes(2);

    /// <summary>A send still running this long before its lease ends is abandoned, so that it never overlaps a takeover.</summary>
    public static readonly TimeSpan LeaseSafety = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>
    /// The claim's length. A reminder before the interview (offsets shorter than <see cref="MaxLease"/>
    /// among them) gets a lease that ends <see cref="LeaseMargin"/> before the start: a claim left by a
    /// crash then runs out while the reminder still makes sense, instead of after the start, when it would
    /// be dropped as no longer relevant.
    /// </summary>
    public static TimeSpan LeaseFor(ReminderKind kind, Interview? interview, DateTimeOffset now)
    {
        if (kind is not (ReminderKind.Before or ReminderKind.PrepareNudge) || interview is null)
        {
            return MaxLease;
        }

        var untilMargin = interview.ScheduledAt - LeaseMargin - now;
        return untilMargin < MinLease ? MinLease : untilMargin > MaxLease ? MaxLease : untilMargin;
    }

    /// <summary>Claims and sends the reminder <paramref name="id"/> of <paramref name="hour"/> if it is due; returns its state after (null: it no longer exists).</summary>
    public async Task<ReminderStatus?> SendAsync(string hour, string id, CancellationToken cancellationToken)
    {
        if (!emailSettings.IsConfigured || string.IsNullOrWhiteSpace(emailSettings.From))
        {
            // The dispatcher queues nothing then; a message left from before waits in its reminder's next dispatch.
            return null;
        }

        var now = time.GetUtcNow();
        if (await reminders.GetAsync(hour, id, cancellationToken) is not var (reminder, etag))
        {
            return null;
        }

        if (reminder.Status is ReminderStatus.Sent or ReminderStatus.Dropped)
        {
            return reminder.Status;
        }

        if (reminder.SendAfter > now)
        {
            // Waiting for a retry, or claimed by a sender whose lease still runs. Within the dispatcher's
            // horizon it may have been queued already, so this message comes back when it is due (a
            // queue's or an instance's clock a moment ahead must not lose it); further out the dispatcher queues it then.
            if (reminder.SendAfter - now <= ReminderDispatcher.Lookahead)
            {
                await queue.SendAsync(ReminderSendingFunctions.Queue, ReminderSendingFunctions.Serialize(new DueReminder(hour, id)), ReminderSendingFunctions.VisibleAfter(reminder.SendAfter, now), cancellationToken);
            }

            return reminder.Status;
        }

        var interview = await interviews.FindAsync(reminder.UserId, reminder.InterviewId, cancellationToken);
        var lease = LeaseFor(reminder.ReminderKind, interview, now);
        var claimed = reminder with { Status = ReminderStatus.Sending, SendAfter = now + lease, Attempts = reminder.Attempts + 1 };
        var claimETag = await reminders.ReplaceAsync(hour, id, claimed, etag, cancellationToken);
        if (claimETag is null)
        {
            // Another sender claimed it first.
            return ReminderStatus.Sending;
        }

        var (settings, _) = await settingsStore.GetAsync(reminder.UserId, cancellationToken);
        var address = settings.EffectiveEmail;
        var digest = reminder.ReminderKind == ReminderKind.MorningDigest;
        // A cancellation or a move corrects an invitation this service already e-mailed: it goes even when
        // reminders or nudges were turned off since, or the calendar would keep the wrong event.
        var correction = ReminderSchedule.CorrectsInvitation(reminder.ReminderKind);
        var remindersOff = !settings.RemindersEnabled && !correction;
        var nudgeOff = reminder.ReminderKind is not (ReminderKind.Before or ReminderKind.MorningDigest) && !correction && !settings.NudgesEnabled;
        var digestOff = digest && settings.MorningDigestAt is null;
        var zone = interview is not null ? ReminderSchedule.ZoneOf(interview, settings) : UserZone(settings);
        var day = digest && !digestOff ? await DayOfAsync(reminder, zone, now, cancellationToken) : [];
        var relevant = digest ? day.Count > 0 : ReminderSchedule.StillRelevant(reminder.ReminderKind, interview, now);
        if (remindersOff || nudgeOff || digestOff || address is null || !relevant)
        {
            var reason = remindersOff ? "reminders off" : nudgeOff ? "nudges off" : digestOff ? "digest off" : address is null ? "no e-mail address" : digest ? "no interviews that day" : "no longer relevant";
            await reminders.ReplaceAsync(hour, id, claimed with { Status = ReminderStatus.Dropped, LastError = reason }, claimETag, cancellationToken);
            LogDropped(logger, reminder.InterviewId, reminder.ReminderKind, reason);
            return ReminderStatus.Dropped;
        }

        try
        {
            using var leaseEnds = new CancellationTokenSource(lease - LeaseSafety, time);
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leaseEnds.Token);
            // The organizer of an invitation is the sender's bare address ("Interviews <reminders@…>" is not a calendar address).
            var message = digest
                ? ReminderEmail.ComposeDigest(id, day, zone, emailSettings.From, address, now)
                : ReminderEmail.Compose(
                    id, reminder, interview!, settings, emailSettings.From, address, now,
                    ReminderEmail.AttachesInvitation(interview!)
                        ? calendarFiles.ForInterview(interview!, now, MimeKit.MailboxAddress.Parse(emailSettings.From).Address, address)
                        : null);
            await email.SendAsync(message, sending.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var delay = RetryDelay(claimed.Attempts);
            // The error's type only: SMTP replies can echo addresses.
            await reminders.ReplaceAsync(hour, id, claimed with { Status = ReminderStatus.Due, SendAfter = now + delay, LastError = exception.GetType().Name }, claimETag, cancellationToken);
            Telemetry.RemindersFailed.Add(1, new KeyValuePair<string, object?>("reason", exception.GetType().Name));
            LogSendFailed(logger, exception.GetType().Name, reminder.InterviewId, reminder.ReminderKind, claimed.Attempts, delay);
            return ReminderStatus.Due;
        }

        await reminders.ReplaceAsync(hour, id, claimed with { Status = ReminderStatus.Sent, SentAt = now, LastError = null }, claimETag, cancellationToken);
        Telemetry.RemindersSent.Add(1);
        LogSent(logger, reminder.InterviewId, reminder.ReminderKind);
        return ReminderStatus.Sent;
    }

    /// <summary>
    /// A message that never finished (its process stopped or it failed on every dequeue): the reminder
    /// goes back to Due after a retry delay, so that the dispatcher queues it again then.
    /// </summary>
    public async Task GiveUpAsync(string hour, string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await reminders.GetAsync(hour, id, cancellationToken) is not var (reminder, etag)
            || reminder.Status is ReminderStatus.Sent or ReminderStatus.Dropped
            || (reminder.Status == ReminderStatus.Sending && reminder.SendAfter > now))
        {
            // Finished, or a sender holds it now (its lease's end brings it back to the dispatcher).
            return;
        }

        var attempts = reminder.Attempts + 1;
        var delay = RetryDelay(attempts);
        var later = now + delay;
        await reminders.ReplaceAsync(hour, id, reminder with { Status = ReminderStatus.Due, SendAfter = later > reminder.SendAfter ? later : reminder.SendAfter, Attempts = attempts, LastError = "delivery gave up" }, etag, cancellationToken);
        LogGaveUp(logger, reminder.InterviewId, reminder.ReminderKind, delay);
    }

    /// <summary>The open interviews of the digest's local day that are still ahead, soonest first.</summary>
    private async Task<IReadOnlyList<Interview>> DayOfAsync(Reminder reminder, TimeZoneInfo zone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var until = ReminderSchedule.DigestDayEnd(reminder.DueAt, zone);
        var day = new List<Interview>();
        await foreach (var interview in interviews.ListAsync(reminder.UserId, now, openOnly: true, cancellationToken))
        {
            if (interview.ScheduledAt >= until)
            {
                break;
            }

            day.Add(interview);
        }

        return day;
    }

    private static TimeZoneInfo UserZone(NotificationSettings settings) =>
        settings.Timezone is { } id && IanaTimeZone.Create(id) is { IsSuccess: true } zone ? zone.Value.Zone : TimeZoneInfo.Utc;

    private static TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20))));

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Kind} for interview {InterviewId} sent")]
    private static partial void LogSent(ILogger logger, Guid interviewId, ReminderKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Kind} for interview {InterviewId} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, Guid interviewId, ReminderKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Kind} for interview {InterviewId} failed ({Error}), attempt {Attempt}; retry in {Delay}")]
    private static partial void LogSendFailed(ILogger logger, string error, Guid interviewId, ReminderKind kind, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Kind} for interview {InterviewId}: its queue message never finished; retry in {Delay}")]
    private static partial void LogGaveUp(ILogger logger, Guid interviewId, ReminderKind kind, TimeSpan delay);
}
