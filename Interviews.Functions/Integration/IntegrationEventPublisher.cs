using Interviews.Functions.Events;
using Azure.Messaging;
using Azure.Messaging.EventGrid;

namespace Interviews.Functions.Integration;

/// <summary>Integration events settings (section <c>EventGrid</c>).</summary>
public sealed class EventGridSettings
{
    public const string Section = "EventGrid";

    /// <summary>The Event Grid topic endpoint; without it nothing is published.</summary>
    public string? TopicEndpoint { get; set; }

    /// <summary>An access key, only where managed identity cannot be used (a secret; never logged).</summary>
    public string? AccessKey { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(TopicEndpoint);
}

/// <summary>
/// Publishes every domain event as a CloudEvent (type <c>Interviews.{EventType}</c>, id = the event
/// id, subject <c>interviews/{id}</c>) for other services such as application tracking. The event id
/// makes a repeated delivery recognisable to consumers (CloudEvents: source + id identify an event).
/// </summary>
public sealed class IntegrationEventPublisher(EventGridPublisherClient client) : IEventHandler
{
    public const string Source = "/interviews";

    public string Name => "integration-events";

    public async Task HandleAsync(DeliveredEvent domainEvent, CancellationToken cancellationToken)
    {
        // Only the interviews' own events: a user's notification settings (an e-mail address) are not
        // for other services.
        if (domainEvent.InterviewId == Guid.Empty)
        {
            return;
        }

        var cloudEvent = new CloudEvent(Source, $"Interviews.{domainEvent.Type}", BinaryData.FromString(domainEvent.Data.GetRawText()), "application/json")
        {
            Id = domainEvent.EventId.ToString("D"),
            Subject = $"interviews/{domainEvent.InterviewId:D}",
            Time = domainEvent.OccurredAt,
        };
        await client.SendEventAsync(cloudEvent, cancellationToken);
    }
}
