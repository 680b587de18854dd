using System.Text.Json;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Events;

/// <summary>A domain event as the pump delivers it: the outbox record and its id.</summary>
public sealed record DeliveredEvent(Guid EventId, string Type, Guid InterviewId, Guid UserId, DateTimeOffset OccurredAt, JsonElement Data)
{
    public static DeliveredEvent From(StoredDocument document)
    {
        var record = JsonSerializer.Deserialize<EventDocument>(document.Json, StorageJson.Options)
            ?? throw new InvalidOperationException($"Event document {document.Id} is empty.");
        return new DeliveredEvent(Guid.Parse(document.Id), record.Type, record.InterviewId, record.UserId, record.OccurredAt, record.Data);
    }
}

/// <summary>
/// Something that reacts to domain events. Delivery is at least once, in order per interview, so a
/// handler must be idempotent: handling the same event twice has the effect of handling it once.
/// Each handler reads the feed with its own checkpoint, so a failing one holds back only itself.
/// </summary>
public interface IEventHandler
{
    /// <summary>A stable name: the handler's checkpoint and dead letters are kept under it.</summary>
    string Name { get; }

    Task HandleAsync(DeliveredEvent domainEvent, CancellationToken cancellationToken);
}
