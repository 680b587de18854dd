using System.Text.Json;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Events;

/// <summary>An event a handler could not handle, parked with its last error.</summary>
public sealed record DeadLetter(
    string Handler,
    Guid EventId,
    string Type,
    Guid InterviewId,
    Guid UserId,
    DateTimeOffset OccurredAt,
    JsonElement Data,
    int Attempts,
    string Error,
    DateTimeOffset ParkedAt,
    DateTimeOffset? ReplayedAt);

/// <summary>
/// Parked events, one document each in the partition <see cref="Partition"/> of the interviews
/// container (kind <c>dead-letter</c>, id <c>{handler}:{eventId}</c>). Operators list them and replay
/// one with LocalHost's <c>dead-letters</c> command (against whichever store the settings select); a
/// replay hands the event to its handler again and, on success, marks the record replayed.
/// </summary>
public sealed class DeadLetters(IDocumentContainer container, TimeProvider time)
{
    public const string Partition = "dead-letters";
    public const string Kind = "dead-letter";

    public static IReadOnlyList<IndexDefinition> Indexes { get; } = [new("dead_letters_by_time", Kind, [], "parkedAt")];

    public async Task ParkAsync(string handler, DeliveredEvent domainEvent, int attempts, Exception error, CancellationToken cancellationToken)
    {
        var record = new DeadLetter(
            handler, domainEvent.EventId, domainEvent.Type, domainEvent.InterviewId, domainEvent.UserId, domainEvent.OccurredAt, domainEvent.Data,
            attempts, $"{error.GetType().Name}: {error.Message}", time.GetUtcNow(), null);
        var id = Id(handler, domainEvent.EventId);
        var json = JsonSerializer.Serialize(record, StorageJson.Options);
        var outcome = await container.WriteAsync(Partition, [DocumentWrite.Create(id, Kind, json)], cancellationToken);
        if (outcome.Failure == WriteFailure.AlreadyExists)
        {
            // Parked again after a replay that failed: keep the newest error.
            var existing = await container.ReadAsync(Partition, id, cancellationToken);
            outcome = await container.WriteAsync(Partition, [DocumentWrite.Replace(id, Kind, json, existing!.ETag)], cancellationToken);
        }

        if (!outcome.IsSuccess)
        {
            throw new StoreUnavailableException($"Could not park event {domainEvent.EventId}: {outcome.Failure}.");
        }
    }

    public async Task<IReadOnlyList<(string Id, DeadLetter Letter)>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var page = await container.QueryAsync(new DocumentQuery(Partition, Kind, [], "parkedAt", limit, null), cancellationToken);
        return [.. page.Items.Select(d => (d.Id, JsonSerializer.Deserialize<DeadLetter>(d.Json, StorageJson.Options)!))];
    }

    /// <summary>Hands a parked event to its handler again; on success the record is marked replayed.</summary>
    public async Task<bool> ReplayAsync(string id, IEnumerable<IEventHandler> handlers, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(Partition, id, cancellationToken);
        if (document is null)
        {
            return false;
        }

        var letter = JsonSerializer.Deserialize<DeadLetter>(document.Json, StorageJson.Options)!;
        var handler = handlers.SingleOrDefault(h => h.Name == letter.Handler)
            ?? throw new InvalidOperationException($"No handler named '{letter.Handler}' is registered.");
        await handler.HandleAsync(new DeliveredEvent(letter.EventId, letter.Type, letter.InterviewId, letter.UserId, letter.OccurredAt, letter.Data), cancellationToken);
        var replayed = letter with { ReplayedAt = time.GetUtcNow() };
        await container.WriteAsync(Partition, [DocumentWrite.Replace(id, Kind, JsonSerializer.Serialize(replayed, StorageJson.Options), document.ETag)], cancellationToken);
        return true;
    }

    public static string Id(string handler, Guid eventId) => $"{handler}:{eventId:D}";
}
