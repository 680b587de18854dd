using System.Text;
using Interviews.Domain;
using Microsoft.AspNetCore.Http;

namespace Interviews.Functions.Interviews;

/// <summary>The <c>Idempotency-Key</c> request header: absent, or 1–255 characters.</summary>
public sealed record IdempotencyKey(string Value)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxLength = 255;

    public static Error Reused { get; } = new(
        ErrorKind.Unprocessable, "idempotency-key-reused", "This Idempotency-Key was already used with a different body; send a new key for a new request.");

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

    /// <summary>
    /// The original answer again: its status, body and Location, with <c>Idempotent-Replayed: true</c>;
    /// the interview's ETag when <paramref name="currentETag"/> is given (it is still the version the body shows).
    /// </summary>
    public static IResult Replay(IdempotencyRecord record, string? currentETag) => new ReplayResult(record, currentETag);

    private sealed class ReplayResult(IdempotencyRecord record, string? etag) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = record.Status;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers[ReplayedHeader] = "true";
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
