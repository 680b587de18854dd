using System.Text.Json;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Events;

/// <summary>
/// An event a handler could not handle, parked with its last error. The event's user is stored as
/// <c>ownerId</c>: the letter lives in the partition <see cref="DeadLetters.Partition"/>, and a body's
/// <c>userId</c> is the partition key in Cosmos DB.
/// </summary>
public sealed record DeadLetter(
    string Handler,
    Guid EventId,
    string Type,
    Guid? InterviewId,
    [property: System.Text.Json.Serialization.JsonPropertyName("ownerId")] Guid UserId,
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
public sealed class DeadLetters(IDocumentContainer container, EventCatalog catalog, TimeProvider time)
{
    public const string Partition = "dead-letters";
    public const string Kind = "dead-letter";

    public static IReadOnlyList<IndexDefinition> Indexes { get; } = [new("dead_letters_by_time", Kind, [], "parkedAt")];

    private readonly DocumentKind<DeadLetter> _letters = new(container, Kind, key => key);

    public async Task ParkAsync(string handler, DeliveredEvent domainEvent, int attempts, Exception error, CancellationToken cancellationToken)
    {
        var letter = new DeadLetter(
            handler, domainEvent.EventId, domainEvent.Type, domainEvent.InterviewId, domainEvent.UserId, domainEvent.OccurredAt, domainEvent.Data,
            attempts, $"{error.GetType().Name}: {error.Message}", time.GetUtcNow(), null);
        var id = Id(handler, domainEvent.EventId);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Parked again after a replay that failed: the newest error replaces the old one.
            var existing = await _letters.ReadAsync(Partition, id, cancellationToken);
            if (await _letters.SaveAsync(Partition, id, letter, existing?.ETag, cancellationToken) is not null)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Event {domainEvent.EventId} could not be parked: its dead letter kept changing.");
    }

    public async Task<IReadOnlyList<(string Id, DeadLetter Letter)>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var page = await container.QueryAsync(new DocumentQuery(Partition, Kind, [], "parkedAt", limit, null), cancellationToken);
        return [.. page.Items.Select(d => (d.Id, Read(d)))];
    }

    /// <summary>Every parked event, page by page (a user's erasure finds theirs here).</summary>
    public async IAsyncEnumerable<(string Id, DeadLetter Letter)> AllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DocumentCursor? cursor = null;
        do
        {
            var page = await container.QueryAsync(new DocumentQuery(Partition, Kind, [], "parkedAt", 200, cursor), cancellationToken);
            foreach (var document in page.Items)
            {
                yield return (document.Id, Read(document));
            }

            cursor = page.Next;
        }
        while (cursor is not null);
    }

    /// <summary>Deletes parked events by id (a user's erasure), in batches of the partition.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(100))
        {
            await container.WriteAsync(Partition, [.. chunk.Select(id => _letters.Delete(id))], cancellationToken);
        }
    }

    /// <summary>Hands a parked event to its handler again; on success the record is marked replayed.</summary>
    public async Task<bool> ReplayAsync(string id, IEnumerable<IEventHandler> handlers, CancellationToken cancellationToken)
    {
        if (await _letters.ReadAsync(Partition, id, cancellationToken) is not { } stored)
        {
            return false;
        }

        var letter = stored.Value;
        var handler = handlers.SingleOrDefault(h => h.Name == letter.Handler)
            ?? throw new InvalidOperationException($"No handler named '{letter.Handler}' is registered.");
        var delivered = new DeliveredEvent(letter.EventId, letter.Type, letter.InterviewId, letter.UserId, letter.OccurredAt, letter.Data);
        var recorded = catalog.Read(delivered) ?? throw new InvalidOperationException($"Event {letter.EventId} has a type this version does not know ({letter.Type}).");
        await EventDispatch.DeliverAsync(handler, recorded, cancellationToken);
        await _letters.SaveAsync(Partition, id, letter with { ReplayedAt = time.GetUtcNow() }, stored.ETag, cancellationToken);
        return true;
    }

    /// <summary>
    /// A stored letter. Letters parked before the event's user was stored as <c>ownerId</c> (the
    /// embedded store only: Cosmos DB refused them) carry it as <c>userId</c>; a user's erasure must find those too.
    /// </summary>
    private DeadLetter Read(StoredDocument document)
    {
        var letter = _letters.Read(document);
        if (letter.UserId != Guid.Empty)
        {
            return letter;
        }

        using var json = JsonDocument.Parse(document.Json);
        return json.RootElement.TryGetProperty("userId", out var userId) && userId.TryGetGuid(out var owner) ? letter with { UserId = owner } : letter;
    }

    public static string Id(string handler, Guid eventId) => $"{handler}:{eventId:D}";
}
