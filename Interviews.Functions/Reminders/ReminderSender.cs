using Interviews.Functions.Calendar;
using Interviews.Functions.Diagnostics;
using Interviews.Functions.Interviews;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Reminders;

/// <summary>
/// Sends the reminders that are due. Exactly once in effect: a reminder is claimed with a conditional
/// write (Due → Sending, leased for <see cref="Lease"/>) before the e-mail goes out and marked Sent
/// after, so two senders never both send it. A crash after the SMTP server took the message but before
/// the Sent mark sends it once more when the lease runs out (at most once more per crash); a crash
/// anywhere else sends it once. An SMTP failure puts it back to Due with a doubling delay: it is never
/// lost, and it is dropped only when it no longer makes sense (the interview started, was cancelled…).
/// </summary>
public sealed partial class ReminderSender(
    ReminderStore reminders,
    IInterviewReader interviews,
    NotificationSettingsStore settingsStore,
    ICheckpointStore checkpoints,
    IEmailSender email,
    ICalendarFiles calendarFiles,
    EmailSettings emailSettings,
    TimeProvider time,
    ILogger<ReminderSender> logger)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>How far back the sender looks the first time it runs.</summary>
    public static readonly TimeSpan FirstLookBack = TimeSpan.FromDays(2);

    private const string CheckpointName = "reminder-sender";

    /// <summary>One run: sends what is due in every hour from the oldest unfinished one to now. Returns how many were sent.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!emailSettings.IsConfigured || string.IsNullOrWhiteSpace(emailSettings.From))
        {
            LogNotConfigured(logger);
            return 0;
        }

        var now = time.GetUtcNow();
        var currentHour = ReminderStore.StartOfHour(ReminderStore.Hour(now));
        var saved = await checkpoints.ReadAsync(CheckpointName, cancellationToken);
        var lowWater = saved is null ? ReminderStore.StartOfHour(ReminderStore.Hour(now - FirstLookBack)) : ReminderStore.StartOfHour(saved);
        var sent = 0;
        var advancing = true;
        for (var hour = lowWater; hour <= currentHour; hour = hour.AddHours(1))
        {
            var unfinished = false;
            foreach (var (id, reminder, etag) in await reminders.PendingAsync(ReminderStore.Hour(hour), cancellationToken))
            {
                if (reminder.SendAfter > now)
                {
                    unfinished = true;
                    continue;
                }

                var outcome = await ProcessAsync(ReminderStore.Hour(hour), id, reminder, etag, now, cancellationToken);
                sent += outcome == ReminderStatus.Sent ? 1 : 0;
                unfinished |= outcome is ReminderStatus.Due or ReminderStatus.Sending;
            }

            // The low-water mark moves past hours with nothing left, but never past the current hour,
            // where new reminders are still being planned.
            if (advancing && !unfinished && hour < currentHour)
            {
                lowWater = hour.AddHours(1);
            }
            else
            {
                advancing = false;
            }
        }

        await checkpoints.WriteAsync(CheckpointName, ReminderStore.Hour(lowWater), cancellationToken);
        return sent;
    }

    private async Task<ReminderStatus> ProcessAsync(string hour, string id, Reminder reminder, string etag, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claimed = reminder with { Status = ReminderStatus.Sending, SendAfter = now + Lease, Attempts = reminder.Attempts + 1 };
        var claimETag = await reminders.ReplaceAsync(hour, id, claimed, etag, cancellationToken);
        if (claimETag is null)
        {
            // Another sender claimed it first.
            return ReminderStatus.Sending;
        }

        var interview = await interviews.FindAsync(reminder.UserId, reminder.InterviewId, cancellationToken);
        var (settings, _) = await settingsStore.GetAsync(reminder.UserId, cancellationToken);
        var address = settings.EffectiveEmail;
        // A cancellation or a move corrects an invitation this service already e-mailed: it goes even when
        // reminders or nudges were turned off since, or the calendar would keep the wrong event.
        var correction = ReminderSchedule.CorrectsInvitation(reminder.ReminderKind);
        var nudgeOff = reminder.ReminderKind != ReminderKind.Before && !correction && !settings.NudgesEnabled;
        if ((!settings.RemindersEnabled && !correction) || nudgeOff || address is null || !ReminderSchedule.StillRelevant(reminder.ReminderKind, interview, now))
        {
            var reason = !settings.RemindersEnabled && !correction ? "reminders off" : nudgeOff ? "nudges off" : address is null ? "no e-mail address" : "no longer relevant";
            await reminders.ReplaceAsync(hour, id, claimed with { Status = ReminderStatus.Dropped, LastError = reason }, claimETag, cancellationToken);
            LogDropped(logger, reminder.InterviewId, reminder.ReminderKind, reason);
            return ReminderStatus.Dropped;
        }

        try
        {
            // The organizer is the sender's bare address ("Interviews <reminders@…>" is not a calendar address).
            var invitation = calendarFiles.ForInterview(interview!, now, MimeKit.MailboxAddress.Parse(emailSettings.From!).Address, address);
            await email.SendAsync(ReminderEmail.Compose(reminder, interview!, settings, emailSettings.From!, address, now, invitation), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Min(claimed.Attempts - 1, 20))));
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reminders: no SMTP host or sender address is configured (Email:Smtp:Host, Email:From); nothing is sent")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Kind} for interview {InterviewId} sent")]
    private static partial void LogSent(ILogger logger, Guid interviewId, ReminderKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Kind} for interview {InterviewId} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, Guid interviewId, ReminderKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Kind} for interview {InterviewId} failed ({Error}), attempt {Attempt}; retry in {Delay}")]
    private static partial void LogSendFailed(ILogger logger, string error, Guid interviewId, ReminderKind kind, int attempt, TimeSpan delay);
}
