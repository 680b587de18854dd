using Interviews.Functions.Events;
using Interviews.Functions.Queues;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Integration;

/// <summary>The integration events' queue triggers: the interviews' events for Event Grid, and their poison queue.</summary>
public sealed class IntegrationQueueFunctions(EventDelivery delivery, IntegrationEventPublisher handler)
{
    public const string EventsQueue = EventQueues.Prefix + IntegrationEventPublisher.HandlerName;

    [Function("IntegrationEvents")]
    public Task Deliver([QueueTrigger(EventsQueue, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.DeliverAsync(handler, message, cancellationToken);

    [Function("IntegrationEventsPoison")]
    public Task ParkPoison([QueueTrigger(EventsQueue + WorkQueues.PoisonSuffix, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.ParkPoisonAsync(handler, message, cancellationToken);
}
