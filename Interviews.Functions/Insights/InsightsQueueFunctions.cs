using Interviews.Functions.Events;
using Interviews.Functions.Queues;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Insights;

/// <summary>The insights' queue triggers: the interviews' events for the projector, and their poison queue.</summary>
public sealed class InsightsQueueFunctions(EventDelivery delivery, InsightsProjector handler)
{
    public const string EventsQueue = EventQueues.Prefix + InsightsProjector.HandlerName;

    [Function("InsightsEvents")]
    public Task Deliver([QueueTrigger(EventsQueue, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.DeliverAsync(handler, message, cancellationToken);

    [Function("InsightsEventsPoison")]
    public Task ParkPoison([QueueTrigger(EventsQueue + WorkQueues.PoisonSuffix, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        delivery.ParkPoisonAsync(handler, message, cancellationToken);
}
