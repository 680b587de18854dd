using Interviews.Functions.Events;
using Interviews.Functions.Queues;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Calendar;

/// <summary>The calendar's queue triggers: the interviews' events for the calendar sync, and their poison queue.</summary>
public sealed class CalendarQueueFunctions(EventDelivery delivery, CalendarSyncHandler handler)
{
    public const string EventsQueue = EventQueues.Prefix + CalendarSyncHandler.HandlerName;

    [Function("CalendarSyncEvents")]
    public Task SyncEvents([QueueTrigger(EventsQueue, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.DeliverAsync(handler, message, cancellationToken);

    [Function("CalendarSyncEventsPoison")]
    public Task ParkPoisonEvents([QueueTrigger(EventsQueue + WorkQueues.PoisonSuffix, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.ParkPoisonAsync(handler, message, cancellationToken);
}
