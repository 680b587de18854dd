using Interviews.Domain;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Interviews;

/// <summary>
/// Runs a command on a stored interview: load, check If-Match, apply the aggregate method, save with
/// its events under the loaded ETag. Without If-Match a lost race is retried on the fresh version (so
/// concurrent commands are never lost); with If-Match it is the client's 412.
/// </summary>
public sealed partial class InterviewCommands(InterviewStore store, TimeProvider time, ILogger<InterviewCommands> logger)
{
    private const int MaxAttempts = 40;

    public async Task<Result<StoredInterview>> RunAsync(
        Guid userId,
        Guid interviewId,
        IfMatch ifMatch,
        Func<Interview, DateTimeOffset, Result> command,
        CancellationToken cancellationToken,
        Func<Interview, IReadOnlyList<DocumentWrite>>? alsoWrite = null,
        Func<Interview, CancellationToken, Task>? beforeSave = null)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var stored = await store.GetAsync(userId, interviewId, cancellationToken);
            if (stored is null)
            {
                return InterviewErrors.NotFound;
            }

            if (!ifMatch.Matches(stored.ETag))
            {
                return InterviewErrors.PreconditionFailed;
            }

            var outcome = command(stored.Interview, time.GetUtcNow());
            if (!outcome.IsSuccess)
            {
                return outcome.Error!;
            }

            if (stored.Interview.PendingEvents.Count == 0)
            {
                // Nothing changed (an idempotent repeat): nothing to save.
                return stored;
            }

            // Reads that the answer needs happen before the write: a failing store then leaves nothing
            // changed behind a 503, and a client's retry cannot apply the command twice.
            if (beforeSave is not null)
            {
                await beforeSave(stored.Interview, cancellationToken);
            }

            var events = string.Join(',', stored.Interview.PendingEvents.Select(e => e.GetType().Name));
            var saved = await store.SaveAsync(stored.Interview, stored.ETag, cancellationToken, alsoWrite?.Invoke(stored.Interview));
            if (saved.IsSuccess)
            {
                LogSaved(logger, interviewId, events);
                return stored with { ETag = saved.Value };
            }

            if (saved.Error!.Kind != ErrorKind.Conflict || saved.Error.Code == IdempotencyStore.TakenCode)
            {
                // Unavailable: retrying here would only add load to a throttled store. A taken
                // idempotency record: the caller replays the answer of the request that took it.
                return saved.Error;
            }

            if (ifMatch.Present)
            {
                return InterviewErrors.PreconditionFailed;
            }

            LogRetry(logger, interviewId, attempt);
            // Spread the retries of concurrent writers so that they do not collide again in lockstep.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (attempt * 2))), cancellationToken);
        }

        return InterviewErrors.Contention;
    }

    // Ids and event names only: the request's log scope adds the trace id and the user id.
    [LoggerMessage(Level = LogLevel.Information, Message = "Interview {InterviewId} saved with {Events}")]
    private static partial void LogSaved(ILogger logger, Guid interviewId, string events);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interview {InterviewId} changed under a write; retry {Attempt}")]
    private static partial void LogRetry(ILogger logger, Guid interviewId, int attempt);
}
