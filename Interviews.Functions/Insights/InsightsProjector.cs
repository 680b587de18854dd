using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using Interviews.Domain;

namespace Interviews.Functions.Insights;

/// <summary>
/// Keeps the monthly insights counters (<see cref="InsightsStore"/>) in step with the interviews, as a
/// handler of the interviews' events rather than in the API's writes, so that a user's parallel writes
/// never contend on a month's counters. For each event
/// it counts the interview's current state once: it keeps, beside the interview, the version and the
/// contribution it last counted (<c>insights-counted:{id}</c>), subtracts that from its month, adds the
/// new contribution to the new month and writes all of it in one batch in the user's partition. A
/// repeated or older delivery finds the version already counted and does nothing, so at-least-once
/// delivery counts everything exactly once. Insights are current within the delivery's lag.
/// </summary>
public sealed class InsightsProjector(IInterviewReader interviews, InsightsStore insights) : IEventHandler<IDomainEvent>
{
    public const string HandlerName = "insights";

    public string Name => HandlerName;

    public async Task HandleAsync(IDomainEvent recorded, CancellationToken cancellationToken)
    {
        if (await interviews.FindAsync(recorded.UserId, recorded.InterviewId, cancellationToken) is not { } interview)
        {
            // The interview is gone with its user's data: nothing to count.
            return;
        }

        var counted = await insights.CountedAsync(recorded.UserId, recorded.InterviewId, cancellationToken);
        if (counted is not null && counted.Value.Version >= interview.Version)
        {
            return;
        }

        if (!await insights.CountAsync(interview, counted, cancellationToken))
        {
            // Erasure or a replayed dead letter raced us: fail, and the pump delivers the event again.
            throw new InvalidOperationException($"Counting interview {recorded.InterviewId} for insights lost a race with another write.");
        }
    }
}
