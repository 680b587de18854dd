using Interviews.Functions.Settings;
using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Storage;
using Interviews.Functions.Events;
using Azure.Messaging;
using Azure.Messaging.EventGrid;

namespace Interviews.Functions.Integration;

/// <summary>Integration events settings (section <c>EventGrid</c>).</summary>
public sealed class EventGridSettings : ICheckedSettings
{
    public const string Section = "EventGrid";

    /// <summary>The Event Grid topic endpoint; without it nothing is published.</summary>
    public string? TopicEndpoint { get; set; }

    /// <summary>An access key, only where managed identity cannot be used (a secret; never logged).</summary>
    public string? AccessKey { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(TopicEndpoint);

    public IEnumerable<string> Problems()
    {
        if (IsConfigured && !(Uri.TryCreate(TopicEndpoint, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
        {
            yield return $"Setting {Section}:TopicEndpoint must be the https URL of the Event Grid topic.";
        }
    }
}

/// <summary>
/// Publishes every event of an interview as a CloudEvent (type <c>Interviews.{EventType}</c>, id = the event
/// id, subject <c>interviews/{id}</c>) for other services such as application tracking. The event id
/// makes a repeated delivery recognisable to consumers (CloudEvents: source + id identify an event).
/// </summary>
public sealed class IntegrationEventPublisher(EventGridPublisherClient client) : IEventHandler<IDomainEvent>
{
    public const string Source = "/interviews";

    public const string HandlerName = "integration-events";

    public string Name => HandlerName;

    /// <summary>Only the interviews' own events: events about the user (their notification settings, an e-mail address) are not for other services.</summary>
    public async Task HandleAsync(IDomainEvent recorded, CancellationToken cancellationToken)
    {
        var data = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(recorded, recorded.GetType(), StorageJson.Options));
        var cloudEvent = new CloudEvent(Source, $"Interviews.{EventCatalog.NameOf(recorded.GetType())}", data, "application/json")
        {
            Id = recorded.EventId.ToString("D"),
            Subject = $"interviews/{recorded.InterviewId:D}",
            Time = recorded.OccurredAt,
        };
        await client.SendEventAsync(cloudEvent, cancellationToken);
    }
}
