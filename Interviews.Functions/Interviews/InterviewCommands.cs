using Interviews.Domain;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Interviews;

/// <summary>An interview as a command saved it: its new ETag, and the conflicts and suggested questions its answer reports (read before the save).</summary>
public sealed record InterviewChange(Interview Interview, string ETag, IReadOnlyList<InterviewConflict> Conflicts, IReadOnlyList<string>? SuggestedQuestions = null)
{
    /// <summary>The interview as the API answers it.</summary>
    public InterviewResponse Response => InterviewResponse.From(Interview, Conflicts, SuggestedQuestions);
}

/// <summary>
/// Runs one of the aggregate's verbs on a stored interview: load, check If-Match, apply the verb, read
/// what the answer needs (the conflicts, the suggested questions), then save the change with its events and its companions
/// (an idempotency record) in one atomic write under the loaded ETag. Everything the answer needs is
/// read before the write, so that a store failing at any point leaves either nothing changed (and a
/// 503 the client may retry) or the whole change saved.
/// </summary>
public sealed partial class InterviewCommands(
    InterviewStore store, ConflictFinder conflicts, DebriefQuestions debrief, TimeProvider time, ILogger<InterviewCommands> logger) : IInterviewChanges
{
    /// <summary>How many times a command without If-Match is tried on fresh state before it gives up with <see cref="InterviewErrors.Contention"/>.</summary>
    public const int MaxAttempts = 40;

    /// <summary>The error of one attempt whose save lost the race with another write.</summary>
    private static readonly Error Lost = new(ErrorKind.Conflict, "write-lost", "The interview changed during the command.");

    /// <summary>
    /// Applies <paramref name="verb"/> to the interview. With If-Match the stored version must match and a
    /// lost race is the client's 412; without it a lost race is retried on the fresh version, so that
    /// concurrent commands are never lost. A verb that changes nothing saves nothing.
    /// </summary>
    /// <param name="companions">Documents of the user's partition to write with the change, given the change as it will be answered (with the loaded ETag).</param>
    public async Task<Result<InterviewChange>> RunAsync(
        Guid userId,
        Guid interviewId,
        IfMatch ifMatch,
        Func<Interview, DateTimeOffset, Result> verb,
        CancellationToken cancellationToken,
        Func<InterviewChange, IReadOnlyList<DocumentWrite>>? companions = null)
    {
        if (ifMatch.Present)
        {
            var once = await TryAsync(userId, interviewId, ifMatch, verb, companions, cancellationToken);
            return once.Error == Lost ? InterviewErrors.PreconditionFailed : once;
        }

        return await RetryWhileLostAsync(interviewId, () => TryAsync(userId, interviewId, ifMatch, verb, companions, cancellationToken), cancellationToken);
    }

    async Task<Result<Interview>> IInterviewChanges.ApplyAsync(Guid userId, Guid interviewId, Func<Interview, DateTimeOffset, Result> change, CancellationToken cancellationToken)
    {
        var result = await RunAsync(userId, interviewId, IfMatch.None, change, cancellationToken);
        return result.IsSuccess ? result.Value.Interview : result.Error!;
    }

    private async Task<Result<InterviewChange>> TryAsync(
        Guid userId,
        Guid interviewId,
        IfMatch ifMatch,
        Func<Interview, DateTimeOffset, Result> verb,
        Func<InterviewChange, IReadOnlyList<DocumentWrite>>? companions,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(userId, interviewId, cancellationToken) is not { } stored)
        {
            return Interview.NotFound;
        }

        if (!ifMatch.Matches(stored.ETag))
        {
            return InterviewErrors.PreconditionFailed;
        }

        var interview = stored.Interview;
        var outcome = verb(interview, time.GetUtcNow());
        if (!outcome.IsSuccess)
        {
            return outcome.Error!;
        }

        var answer = new InterviewChange(interview, stored.ETag, await conflicts.FindAsync(interview, cancellationToken), await debrief.FindAsync(interview, cancellationToken));
        if (interview.PendingEvents.Count == 0)
        {
            // Nothing changed (an idempotent repeat): nothing to save.
            return answer;
        }

        var events = string.Join(',', interview.PendingEvents.Select(e => e.GetType().Name));
        var companionWrites = companions?.Invoke(answer) ?? [];
        var saved = await store.SaveAsync(interview, stored.ETag, companionWrites, cancellationToken);
        if (saved.LostCompanion >= 0)
        {
            // A companion's document was taken meanwhile (an idempotency record: a concurrent repeat won).
            return IdempotencyErrors.KeyTaken;
        }

        if (!saved.Saved)
        {
            return Lost;
        }

        LogSaved(logger, interviewId, events);
        return answer with { ETag = saved.ETag! };
    }

    /// <summary>Runs <paramref name="attempt"/> again while it loses a race, after a short random wait, at most <see cref="MaxAttempts"/> times.</summary>
    private async Task<Result<T>> RetryWhileLostAsync<T>(Guid interviewId, Func<Task<Result<T>>> attempt, CancellationToken cancellationToken)
    {
        for (var attempts = 1; ; attempts++)
        {
            var result = await attempt();
            if (result.Error != Lost)
            {
                return result;
            }

            if (attempts == MaxAttempts)
            {
                return InterviewErrors.Contention;
            }

            LogRetry(logger, interviewId, attempts);
            // Spread the retries of concurrent writers so that they do not collide again in lockstep.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (attempts * 2))), cancellationToken);
        }
    }

    // Ids and event names only: the request's log scope adds the trace id and the user id.
    [LoggerMessage(Level = LogLevel.Information, Message = "Interview {InterviewId} saved with {Events}")]
    private static partial void LogSaved(ILogger logger, Guid interviewId, string events);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interview {InterviewId} changed under a write; retry {Attempt}")]
    private static partial void LogRetry(ILogger logger, Guid interviewId, int attempt);
}
