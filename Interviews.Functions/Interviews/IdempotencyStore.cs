using Interviews.Functions.Storage;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Interviews.Domain;

namespace Interviews.Functions.Interviews;

/// <summary>
/// What a successful request sent with an <c>Idempotency-Key</c> answered, so that a repeat answers the
/// same: the endpoint it was sent to, a hash of its body, the status, the body and the Location, and
/// the interview version the body shows (the replay carries the interview's ETag only while that is
/// still its version).
/// </summary>
public sealed record IdempotencyRecord(
    string Endpoint,
    string RequestHash,
    int Status,
    string Body,
    string? Location,
    Guid InterviewId,
    int InterviewVersion,
    DateTimeOffset CreatedAt);

/// <summary>
/// Idempotency records, one document each in the user's partition (kind <c>idempotency</c>, id
/// <c>idempotency:</c> + SHA-256 of the endpoint and the key, so keys are per user and per endpoint and
/// any key makes a valid id). A record is written in the same atomic batch as the change it answers
/// for, so of two concurrent repeats only one can write: the other's batch fails on the record
/// (<see cref="TakenCode"/>) and it replays the winner's answer. Records live <see cref="Lifetime"/>.
/// </summary>
public sealed class IdempotencyStore(IDocumentContainer container, TimeProvider time)
{
    public const string Kind = "idempotency";

    /// <summary>The code of the store error when a batch lost the race for its idempotency record.</summary>
    public const string TakenCode = "idempotency-key-taken";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public static Error KeyTaken { get; } = new(ErrorKind.Conflict, TakenCode, "Another request with the same Idempotency-Key was processed meanwhile.");

    /// <summary>The record of <paramref name="key"/> at <paramref name="endpoint"/>; an expired one comes back as <c>Expired</c> with its ETag, to be overwritten.</summary>
    public async Task<IdempotencyLookup> FindAsync(Guid userId, string endpoint, string key, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(userId.ToString("D"), Id(endpoint, key), cancellationToken);
        if (document is null)
        {
            return new IdempotencyLookup(null, null);
        }

        var record = JsonSerializer.Deserialize<IdempotencyRecord>(document.Json, StorageJson.Options)!;
        // The TTL removes records eventually; until then one older than the lifetime is ignored.
        return record.CreatedAt + Lifetime <= time.GetUtcNow() ? new IdempotencyLookup(null, document.ETag) : new IdempotencyLookup(record, document.ETag);
    }

    /// <summary>The write that stores <paramref name="record"/> in the same batch as its change: a create, or a replace of an expired record.</summary>
    public static DocumentWrite Write(string key, IdempotencyRecord record, string? expiredETag) =>
        new(expiredETag is null ? WriteKind.Create : WriteKind.Replace, Id(record.Endpoint, key), Kind, JsonSerializer.Serialize(record, StorageJson.Options), expiredETag, Lifetime);

    /// <summary>A hash of a request body as the API read it (whitespace and property order do not count).</summary>
    public static string Hash<T>(T request, JsonSerializerOptions options) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, options)));

    public static string Id(string endpoint, string key) =>
        "idempotency:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint + "\n" + key)));
}

/// <summary>A live record, or none; <see cref="ETag"/> is set when a document exists (live or expired).</summary>
public sealed record IdempotencyLookup(IdempotencyRecord? Record, string? ETag)
{
    /// <summary>The ETag of an expired record that a new one replaces; null when the id is free.</summary>
    public string? ExpiredETag => Record is null ? ETag : null;
}
