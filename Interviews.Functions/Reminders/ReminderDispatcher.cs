using System.Globalization;
using Interviews.Functions.Queues;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Reminders;

/// <summary>
/// The reminder timer's work: finds the reminders that fall due from its last run's horizon up to a
/// minute ahead (<see cref="Lookahead"/>) and queues one message per reminder, visible from its due second, on <see cref="ReminderSendingFunctions.Queue"/>, where the queue function
/// (<see cref="ReminderSender"/>) claims and sends each, side by side and on as many instances as the
/// queue needs. It writes nothing to the reminders: a run costs the reads of the open hours and the sends.
/// <para>
/// A reminder is queued when its <see cref="Reminder.SendAfter"/> passes — when it falls due, when its
/// retry delay ends, when a crashed sender's lease runs out — so each of those moments queues it once:
/// the run queues what has <c>SendAfter</c> after the previous run's horizon (less
/// <see cref="Overlap"/>, for a reminder written just as that run read) and up to its own, and again
/// every reminder still Due after its time (one written after the run that should have queued it). A
/// repeated message is harmless: the sender claims with a conditional write and leaves a reminder that
/// is not due.
/// </para>
/// </summary>
public sealed partial class ReminderDispatcher(
    ReminderStore reminders,
    ICheckpointStore checkpoints,
    IWorkQueue queue,
    EmailSettings emailSettings,
    TimeProvider time,
    ILogger<ReminderDispatcher> logger)
{
    /// <summary>How far back the dispatcher looks the first time it runs.</summary>
    public static readonly TimeSpan FirstLookBack = TimeSpan.FromDays(2);

    /// <summary>
    /// Reminders due this long before the previous run's horizon are queued again: one planned for "now"
    /// on another instance may become readable a moment after that run read its hour.
    /// </summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How far ahead a run queues (one timer period): a reminder due before the next run is queued now,
    /// visible from its due second, so it goes out when it is due rather than at the next run — also
    /// when the timer fires a moment before a burst's minute.
    /// </summary>
    public static readonly TimeSpan Lookahead = TimeSpan.FromMinutes(1);

    private const string LowWaterCheckpoint = "reminder-sender";
    private const string DispatchedCheckpoint = "reminder-dispatched";
    private const int MessagesPerSend = 500;

    /// <summary>One run: queues what falls due before the next run, from the oldest unfinished hour on. Returns how many were queued.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!emailSettings.IsConfigured || string.IsNullOrWhiteSpace(emailSettings.From))
        {
            LogNotConfigured(logger);
            return 0;
        }

        var now = time.GetUtcNow();
        var currentHour = ReminderStore.StartOfHour(ReminderStore.Hour(now + Lookahead));
        var saved = await checkpoints.ReadAsync(LowWaterCheckpoint, cancellationToken);
        var lowWater = saved is null ? ReminderStore.StartOfHour(ReminderStore.Hour(now - FirstLookBack)) : ReminderStore.StartOfHour(saved);
        var after = await checkpoints.ReadAsync(DispatchedCheckpoint, cancellationToken) is { } dispatched
            ? DateTimeOffset.Parse(dispatched, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) - Overlap
            : DateTimeOffset.MinValue;
        var horizon = now + Lookahead;
        var due = new List<(string Message, TimeSpan VisibleAfter)>();
        var advancing = true;
        for (var hour = lowWater; hour <= currentHour; hour = hour.AddHours(1))
        {
            var pending = await reminders.PendingAsync(ReminderStore.Hour(hour), cancellationToken);
            due.AddRange(pending
                .Where(p => p.Reminder.SendAfter <= horizon && (p.Reminder.SendAfter > after || IsOverdue(p.Reminder, now)))
                .Select(p => (ReminderSendingFunctions.Serialize(new DueReminder(ReminderStore.Hour(hour), p.Id)), ReminderSendingFunctions.VisibleAfter(p.Reminder.SendAfter, now))));

            // The low-water mark moves past hours with nothing left, but never past the current hour,
            // where new reminders are still being planned.
            if (advancing && pending.Count == 0 && hour < currentHour)
            {
                lowWater = hour.AddHours(1);
            }
            else
            {
                advancing = false;
            }
        }

        foreach (var group in due.GroupBy(d => d.VisibleAfter))
        {
            foreach (var chunk in group.Select(d => d.Message).Chunk(MessagesPerSend))
            {
                await queue.SendAsync(ReminderSendingFunctions.Queue, chunk, group.Key, cancellationToken);
            }
        }

        // Only once everything is queued: a crash before this queues the same reminders again (harmless).
        await checkpoints.WriteAsync(LowWaterCheckpoint, ReminderStore.Hour(lowWater), cancellationToken);
        await checkpoints.WriteAsync(DispatchedCheckpoint, horizon.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), cancellationToken);
        if (due.Count > 0)
        {
            LogQueued(logger, due.Count);
        }

        return due.Count;
    }

    /// <summary>
    /// Still Due after its time although behind the previous run's horizon: written after the run that
    /// should have queued it (a reminder planned for "now", a cancellation's correction, a retry whose
    /// message was lost) or queued and not yet taken. Queued again on every run until it is claimed —
    /// a repeat is harmless, a reminder no run queues would never go.
    /// </summary>
    private static bool IsOverdue(Reminder reminder, DateTimeOffset now) =>
        reminder.Status == ReminderStatus.Due && reminder.SendAfter <= now;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reminders: no SMTP host or sender address is configured (Email:Smtp:Host, Email:From); nothing is sent")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reminders: {Count} due reminders queued")]
    private static partial void LogQueued(ILogger logger, int count);
}
