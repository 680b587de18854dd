using Interviews.Functions.Events;
using Interviews.Functions.Queues;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Reminders;

/// <summary>The reminders' queue triggers: the interviews' and the settings' events for the planner, and their poison queue.</summary>
public sealed class ReminderPlanningFunctions(EventDelivery delivery, ReminderPlanner handler)
{
    public const string EventsQueue = EventQueues.Prefix + ReminderPlanner.HandlerName;

    [Function("ReminderPlanningEvents")]
    public Task Deliver([QueueTrigger(EventsQueue, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.DeliverAsync(handler, message, cancellationToken);

    [Function("ReminderPlanningEventsPoison")]
    public Task ParkPoison([QueueTrigger(EventsQueue + WorkQueues.PoisonSuffix, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.ParkPoisonAsync(handler, message, cancellationToken);
}

/// <summary>A reminder that fell due, as a message in <see cref="ReminderSendingFunctions.Queue"/>: where to find it.</summary>
public sealed record DueReminder(string Hour, string Id);

/// <summary>
/// The due reminders' queue triggers: each message claims and sends one reminder
/// (<see cref="ReminderSender"/>), so a burst is sent side by side, bounded by the queue's concurrency
/// (<c>host.json</c>) and the SMTP connection pool, on as many instances as the queue length brings.
/// </summary>
public sealed class ReminderSendingFunctions(ReminderSender sender)
{
    public const string Queue = "reminders-due";

    [Function("SendDueReminder")]
    public Task Send([QueueTrigger(Queue, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken)
    {
        var due = Parse(message);
        return sender.SendAsync(due.Hour, due.Id, cancellationToken);
    }

    [Function("SendDueReminderPoison")]
    public Task GiveUp([QueueTrigger(Queue + WorkQueues.PoisonSuffix, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken)
    {
        var due = Parse(message);
        return sender.GiveUpAsync(due.Hour, due.Id, cancellationToken);
    }

    /// <summary>How long a reminder's message stays invisible: until its due time, in whole seconds (Azure Storage's unit), never early.</summary>
    public static TimeSpan VisibleAfter(DateTimeOffset sendAfter, DateTimeOffset now) =>
        sendAfter <= now ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Ceiling((sendAfter - now).TotalSeconds));

    public static string Serialize(DueReminder due) => System.Text.Json.JsonSerializer.Serialize(due, Storage.StorageJson.Options);

    private static DueReminder Parse(string message) =>
        System.Text.Json.JsonSerializer.Deserialize<DueReminder>(message, Storage.StorageJson.Options)
            ?? throw new System.Text.Json.JsonException("The due reminder message is empty.");
}
