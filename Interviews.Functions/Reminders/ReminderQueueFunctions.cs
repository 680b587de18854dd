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
