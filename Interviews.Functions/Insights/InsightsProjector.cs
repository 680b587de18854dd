using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using System.Text.Json;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Insights;

/// <summary>What the projector last counted for one interview: its version and its contribution.</summary>
public sealed record InsightsCounted(int Version, int MonthIndex, IReadOnlyDictionary<string, long> Counters)
{
    public InsightsContribution Contribution => new(new InsightsMonth(MonthIndex), Counters);
}

/// <summary>
/// Keeps the monthly insights counters (<see cref="InsightsStore"/>) in step with the interviews, as a
/// handler of the event pump rather than in the API's writes: the pump gives it one event at a time,
/// so no two writers ever contend on a month's counters, and a user's parallel API writes stay as fast
/// as before (counting them in the same batch made them collide on the month document). For each event
/// it counts the interview's current state once: it keeps, beside the interview, the version and the
/// contribution it last counted (<c>insights-counted:{id}</c>), subtracts that from its month, adds the
/// new contribution to the new month and writes all of it in one batch in the user's partition. A
/// repeated or older delivery finds the version already counted and does nothing, so at-least-once
/// delivery counts everything exactly once. Insights are current within the pump's lag (about 2 s).
/// </summary>
public sealed class InsightsProjector(InterviewStore interviews, IDocumentContainer container, InsightsStore insights) : IEventHandler
{
    public const string CountedKind = "insights-counted";

    public string Name => "insights";

    public async Task HandleAsync(DeliveredEvent domainEvent, CancellationToken cancellationToken)
    {
        if (domainEvent.InterviewId == Guid.Empty
            || await interviews.GetAsync(domainEvent.UserId, domainEvent.InterviewId, cancellationToken) is not { } stored)
        {
            // Not an interview's event, or the interview is gone with its user's data: nothing to count.
            return;
        }

        var partition = domainEvent.UserId.ToString("D");
        var id = $"{CountedKind}:{domainEvent.InterviewId:D}";
        var document = await container.ReadAsync(partition, id, cancellationToken);
        var counted = document is null ? null : JsonSerializer.Deserialize<InsightsCounted>(document.Json, StorageJson.Options)!;
        var interview = stored.Interview;
        if (counted is not null && counted.Version >= interview.Version)
        {
            return;
        }

        var contribution = InsightsContribution.Of(interview);
        var writes = new List<DocumentWrite>(await insights.WritesAsync(domainEvent.UserId, counted?.Contribution, contribution, cancellationToken));
        var json = JsonSerializer.Serialize(new InsightsCounted(interview.Version, contribution.Month.Index, contribution.Counters), StorageJson.Options);
        writes.Add(document is null ? DocumentWrite.Create(id, CountedKind, json) : DocumentWrite.Replace(id, CountedKind, json, document.ETag));
        var outcome = await container.WriteAsync(partition, writes, cancellationToken);
        if (!outcome.IsSuccess)
        {
            // Erasure or a replayed dead letter raced us: fail, and the pump delivers the event again.
            throw new InvalidOperationException($"Counting interview {domainEvent.InterviewId} for insights failed: {outcome.Failure}.");
        }
    }
}
