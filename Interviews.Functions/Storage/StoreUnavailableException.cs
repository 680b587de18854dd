namespace Interviews.Functions.Storage;

/// <summary>
/// The store is throttled, down or timed out after its own retries; the caller may retry later. The
/// exception middlewares answer 503 with <c>Retry-After</c>. Thrown by reads, queries, the feed and
/// checkpoints, which have no failure value in <see cref="IDocumentContainer"/>; writes report
/// <see cref="WriteFailure.Unavailable"/> instead.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
        : this("The store is unavailable for now.")
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StoreUnavailableException(string message, TimeSpan? retryAfter, Exception? innerException = null)
        : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the backend asked callers to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
