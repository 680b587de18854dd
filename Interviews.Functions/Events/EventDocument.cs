using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Events;

/// <summary>
/// The stored form of an event, the outbox record the event pump delivers: its type's name (from the
/// <see cref="EventCatalog"/>), whose data it is, the interview it is about (null for an event about
/// the user, such as a change of settings), when it happened, and the event's own fields as data.
/// </summary>
public sealed record EventDocument(string Type, Guid? InterviewId, Guid UserId, DateTimeOffset OccurredAt, JsonElement Data)
{
    /// <summary>The document kind of every stored event.</summary>
    public const string Kind = "event";
}

/// <summary>An event as the pump delivers it: the outbox record and its id.</summary>
public sealed record DeliveredEvent(Guid EventId, string Type, Guid? InterviewId, Guid UserId, DateTimeOffset OccurredAt, JsonElement Data)
{
    public static DeliveredEvent From(StoredDocument document)
    {
        var record = JsonSerializer.Deserialize<EventDocument>(document.Json, StorageJson.Options)
            ?? throw new InvalidOperationException($"Event document {document.Id} is empty.");
        // Events stored before events about the user had no interview said so with an empty id.
        var interviewId = record.InterviewId == Guid.Empty ? null : record.InterviewId;
        return new DeliveredEvent(Guid.Parse(document.Id), record.Type, interviewId, record.UserId, record.OccurredAt, record.Data);
    }
}

/// <summary>
/// The event types the service records, by their stored names (the type's name), so that a stored
/// event is read back as its own type and dispatched to the handlers of that type. The interviews'
/// events (every <see cref="IDomainEvent"/> of the domain) are always known; a feature adds its own
/// with <see cref="EventsRegistration.AddEventType{TEvent}"/>.
/// </summary>
public sealed class EventCatalog
{
    private readonly Dictionary<string, Type> _byName;

    public EventCatalog(IEnumerable<EventType> featureTypes)
    {
        var domain = typeof(IDomainEvent).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDomainEvent).IsAssignableFrom(t));
        _byName = domain.Concat(featureTypes.Select(t => t.Type)).Distinct().ToDictionary(NameOf, t => t, StringComparer.Ordinal);
    }

    /// <summary>Every known event type.</summary>
    public IReadOnlyCollection<Type> Types => _byName.Values;

    /// <summary>The stored name of an event type.</summary>
    public static string NameOf(Type eventType) => eventType.Name;

    /// <summary>The write that stores <paramref name="recorded"/> in its user's partition, in the same batch as the change that recorded it.</summary>
    public DocumentWrite Write(IEvent recorded, TimeSpan timeToLive)
    {
        var type = recorded.GetType();
        if (!_byName.ContainsKey(NameOf(type)))
        {
            throw new InvalidOperationException($"Event type {type.Name} is not registered; add it with AddEventType.");
        }

        var document = new EventDocument(
            NameOf(type),
            (recorded as IDomainEvent)?.InterviewId,
            recorded.UserId,
            recorded.OccurredAt,
            JsonSerializer.SerializeToElement(recorded, type, StorageJson.Options));
        return DocumentWrite.Create(recorded.EventId.ToString("D"), EventDocument.Kind, JsonSerializer.Serialize(document, StorageJson.Options), timeToLive);
    }

    /// <summary>The type stored under <paramref name="name"/>; null for a type this version does not know.</summary>
    public Type? TypeOf(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The delivered event as its own type; null for a type this version does not know (recorded by a newer or an older one).</summary>
    public IEvent? Read(DeliveredEvent delivered) =>
        _byName.TryGetValue(delivered.Type, out var type)
            ? (IEvent?)delivered.Data.Deserialize(type, StorageJson.Options)
            : null;
}

/// <summary>An event type a feature records (registered in the service collection; see <see cref="EventCatalog"/>).</summary>
public sealed record EventType(Type Type);
