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

    /// <summary>How often a count that lost a race with another write of the same month is tried again at once, before the delivery fails.</summary>
    private const int Attempts = 3;

    public async Task HandleAsync(IDomainEvent recorded, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
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

            // Deliveries run side by side: another interview's count of the same month, or erasure, may
            // have written first. Count again from fresh state; past the attempts the delivery fails and is retried.
            if (await insights.CountAsync(interview, counted, cancellationToken))
            {
                return;
            }

            if (attempt == Attempts)
            {
                throw new InvalidOperationException($"Counting interview {recorded.InterviewId} for insights lost a race with another write.");
            }
        }
    }
}
