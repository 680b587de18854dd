using Interviews.Domain;

namespace Interviews.Functions.Interviews;

/// <summary>Errors the interview endpoints raise themselves (the aggregate raises its own).</summary>
public static class InterviewErrors
{
    public static Error PreconditionFailed { get; } = new(ErrorKind.PreconditionFailed, "etag-mismatch", "The interview has changed since the ETag in If-Match was read; read it again.");

    public static Error Contention { get; } = new(ErrorKind.Conflict, "write-contention", "The interview is being changed by many requests at once; try again.");
}
