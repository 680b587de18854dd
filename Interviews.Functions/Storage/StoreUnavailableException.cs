namespace Interviews.Functions.Storage;

/// <summary>
/// The store cannot serve an operation for now: throttled, down, timed out after its own retries, its
/// disk full, its write lock held elsewhere past the wait, an I/O error. The caller may retry later; the
/// hosts' exception middlewares answer 503 with <c>Retry-After</c>, background work retries on its next
/// run. Nothing was written unless the failure was a timeout, after which a write may have applied: a
/// retry then sees <see cref="WriteFailure.AlreadyExists"/> or <see cref="WriteFailure.PreconditionFailed"/>,
/// never a half-applied batch. <see cref="Exception.Message"/> says why without data or secrets, and is
/// what the hosts log (one line, no stack trace).
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
