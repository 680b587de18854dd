using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Http;

namespace Interviews.Functions.Interviews;

/// <summary>The <c>Idempotency-Key</c> request header: absent, or 1–255 characters.</summary>
public sealed record IdempotencyKey(string Value)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxLength = 255;

    /// <summary>The key, null when the header is absent, or a 400 naming the header.</summary>
    public static Result<IdempotencyKey?> From(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return new Result<IdempotencyKey?>();
        }

        if (values.Count != 1)
        {
            return Error.Validation(Header, "Send one Idempotency-Key.");
        }

        var key = values[0];
        if (string.IsNullOrWhiteSpace(key))
        {
            return Error.Validation(Header, "An Idempotency-Key must not be empty.");
        }

        return key.Length > MaxLength
            ? Error.Validation(Header, $"An Idempotency-Key must be at most {MaxLength} characters.")
            : new IdempotencyKey(key);
    }
}

/// <summary>The failures of idempotent requests.</summary>
public static class IdempotencyErrors
{
    /// <summary>The code of the store error when a batch lost the race for its idempotency record.</summary>
    public const string TakenCode = "idempotency-key-taken";

    public static Error Reused { get; } = new(
        ErrorKind.Unprocessable, "idempotency-key-reused", "This Idempotency-Key was already used with a different body; send a new key for a new request.");

    /// <summary>The change's batch lost the race for its idempotency record to a concurrent repeat.</summary>
    public static Error KeyTaken { get; } = new(ErrorKind.Conflict, TakenCode, "Another request with the same Idempotency-Key was processed meanwhile.");
}

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
/// Idempotent requests, written once for every endpoint that takes an <c>Idempotency-Key</c>. The record
/// of an answer is one document in the user's partition (kind <c>idempotency</c>, id <c>idempotency:</c>
/// + SHA-256 of the endpoint and the key, so keys are per user and per endpoint and any key makes a valid
/// id), written in the same atomic batch as the change it answers for: of two concurrent repeats only
/// one can write, and the other replays the winner's answer. Records live <see cref="Lifetime"/>.
/// </summary>
public sealed class Idempotency(IDocumentContainer container, InterviewStore interviews, TimeProvider time)
{
    public const string Kind = "idempotency";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly DocumentKind<IdempotencyRecord> _records = new(container, Kind, key => key);

    /// <summary>
    /// Looks up <paramref name="key"/> at <paramref name="endpoint"/> for a request with <paramref name="body"/>
    /// (as the API read it: whitespace and property order do not count). Without a key every request is new.
    /// </summary>
    public async Task<IdempotentRequest> BeginAsync<TBody>(CurrentUser user, string endpoint, IdempotencyKey? key, TBody body, CancellationToken cancellationToken)
    {
        if (key is null)
        {
            return new IdempotentRequest(this, user.Id, endpoint, null, "", null, null);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body, ApiJson.Options)));
        var (record, expiredETag) = await FindAsync(user.Id, endpoint, key, cancellationToken);
        var answer = record is null ? null : await ReplayAsync(user.Id, record, hash, cancellationToken);
        return new IdempotentRequest(this, user.Id, endpoint, key, hash, expiredETag, answer);
    }

    /// <summary>The live record of <paramref name="key"/>, or none; and the ETag of an expired one, which a new record replaces.</summary>
    internal async Task<(IdempotencyRecord? Record, string? ExpiredETag)> FindAsync(Guid userId, string endpoint, IdempotencyKey key, CancellationToken cancellationToken)
    {
        if (await _records.ReadAsync(userId.ToString("D"), Id(endpoint, key.Value), cancellationToken) is not { } stored)
        {
            return (null, null);
        }

        // The TTL removes records eventually; until then one older than the lifetime is ignored.
        return stored.Value.CreatedAt + Lifetime <= time.GetUtcNow() ? (null, stored.ETag) : (stored.Value, null);
    }

    internal DocumentWrite Write(string endpoint, IdempotencyKey key, IdempotencyRecord record, string? expiredETag) =>
        _records.Write(Id(endpoint, key.Value), record, expiredETag, Lifetime);

    /// <summary>The answer a repeat gets: the original one, or 422 when the key came with another body.</summary>
    internal async Task<IResult> ReplayAsync(Guid userId, IdempotencyRecord record, string requestHash, CancellationToken cancellationToken)
    {
        if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return Problems.From(IdempotencyErrors.Reused);
        }

        var current = await interviews.GetAsync(userId, record.InterviewId, cancellationToken);
        return new ReplayResult(record, current?.Interview.Version == record.InterviewVersion ? current.ETag : null);
    }

    internal DateTimeOffset Now => time.GetUtcNow();

    public static string Id(string endpoint, string key) =>
        "idempotency:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint + "\n" + key)));

    /// <summary>The original answer again: its status, body and Location, with <c>Idempotent-Replayed: true</c>, and the interview's ETag while it is still the version the body shows.</summary>
    private sealed class ReplayResult(IdempotencyRecord record, string? etag) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = record.Status;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers[IdempotencyKey.ReplayedHeader] = "true";
            if (etag is not null)
            {
                response.Headers.ETag = etag;
            }

            if (record.Location is not null)
            {
                response.Headers.Location = record.Location;
            }

            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(record.Body), httpContext.RequestAborted);
        }
    }
}

/// <summary>
/// One request as idempotency sees it: the earlier answer when its key was used (<see cref="Answer"/>),
/// the record of its own answer to write in its change's batch (<see cref="RecordOf"/>), and after a
/// failed save the answer of a concurrent repeat that took the key (<see cref="WinnerAsync"/>). A
/// request without a key is always new and records nothing.
/// </summary>
public sealed class IdempotentRequest
{
    private readonly Idempotency _idempotency;
    private readonly Guid _userId;
    private readonly string _endpoint;
    private readonly IdempotencyKey? _key;
    private readonly string _hash;
    private readonly string? _expiredETag;

    internal IdempotentRequest(Idempotency idempotency, Guid userId, string endpoint, IdempotencyKey? key, string hash, string? expiredETag, IResult? answer)
    {
        _idempotency = idempotency;
        _userId = userId;
        _endpoint = endpoint;
        _key = key;
        _hash = hash;
        _expiredETag = expiredETag;
        Answer = answer;
    }

    /// <summary>The answer to send instead of running the request again (the replay, or 422 for another body); null for a new request.</summary>
    public IResult? Answer { get; }

    /// <summary>The record of this request's answer, to write in the same batch as its change; none without a key.</summary>
    public IReadOnlyList<DocumentWrite> RecordOf(int status, InterviewResponse response, string? location, Interview interview) =>
        _key is null
            ? []
            : [_idempotency.Write(_endpoint, _key, new IdempotencyRecord(_endpoint, _hash, status, JsonSerializer.Serialize(response, ApiJson.Options), location, interview.Id, interview.Version, _idempotency.Now), _expiredETag)];

    /// <summary>
    /// After this request's change failed: when a concurrent repeat with the same key won (its change
    /// then made this one fail, or its record took the key), the winner's answer; otherwise null.
    /// </summary>
    public async Task<IResult?> WinnerAsync(CancellationToken cancellationToken)
    {
        if (_key is null)
        {
            return null;
        }

        var (winner, _) = await _idempotency.FindAsync(_userId, _endpoint, _key, cancellationToken);
        return winner is null ? null : await _idempotency.ReplayAsync(_userId, winner, _hash, cancellationToken);
    }
}
