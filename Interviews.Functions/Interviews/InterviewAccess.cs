using Interviews.Domain;

namespace Interviews.Functions.Interviews;

/// <summary>
/// What other features read of a user's interviews (reminders, calendars, insights): the current state
/// of one interview, or all of them in time order. Always the stored state, never a cached one, so that
/// a handler working from it is right however late or often it runs.
/// </summary>
public interface IInterviewReader
{
    /// <summary>The interview as stored now, or null when the user has no interview with this id.</summary>
    Task<Interview?> FindAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken);

    /// <summary>
    /// The user's interviews scheduled at or after <paramref name="from"/> (null: every one), soonest
    /// first, read page by page as they are enumerated; <paramref name="openOnly"/> keeps those still to
    /// happen (scheduled, prepared or rescheduled).
    /// </summary>
    IAsyncEnumerable<Interview> ListAsync(Guid userId, DateTimeOffset? from, bool openOnly, CancellationToken cancellationToken);
}

/// <summary>How other features change an interview: through its own verbs, under the same rules and concurrency as the API.</summary>
public interface IInterviewChanges
{
    /// <summary>
    /// Applies <paramref name="change"/> (a call of one of the aggregate's verbs) to the interview's current
    /// state and saves it with the events it recorded; a concurrent write is retried on the fresh state.
    /// The interview as saved, or the rule it broke, or not found.
    /// </summary>
    Task<Result<Interview>> ApplyAsync(Guid userId, Guid interviewId, Func<Interview, DateTimeOffset, Result> change, CancellationToken cancellationToken);
}
