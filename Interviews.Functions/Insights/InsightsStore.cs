using Interviews.Functions.Privacy;
using Interviews.Domain;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Insights;

/// <summary>The stored form of a month's bucket.</summary>
public sealed record InsightsMonthDocument(string Month, SortedDictionary<string, long> Counters);

/// <summary>What the projector last counted for one interview: its version and its contribution.</summary>
public sealed record InsightsCounted(int Version, int MonthIndex, IReadOnlyDictionary<string, long> Counters)
{
    public InsightsContribution Contribution => new(new InsightsMonth(MonthIndex), Counters);
}

/// <summary>
/// The monthly insights buckets: one document per user and month (kind <c>insights-month</c>, id
/// <c>insights:yyyy-MM</c>) in the user's partition, holding the sum of the contributions of the
/// interviews scheduled in that month, and beside each interview what was last counted for it (kind
/// <c>insights-counted</c>). Only <see cref="InsightsProjector"/> writes them, one event at a time.
/// </summary>
public sealed class InsightsStore(IDocumentContainer container)
{
    public const string Kind = "insights-month";
    public const string CountedKind = "insights-counted";

    private readonly DocumentKind<InsightsMonthDocument> _months = new(container, Kind, key => "insights:" + key);
    private readonly DocumentKind<InsightsCounted> _counted = new(container, CountedKind);

    /// <summary>What was last counted for an interview, null when nothing was.</summary>
    public Task<Stored<InsightsCounted>?> CountedAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken) =>
        _counted.ReadAsync(Partition(userId), interviewId.ToString("D"), cancellationToken);

    /// <summary>
    /// Counts <paramref name="interview"/>'s current state instead of what was counted before
    /// (<paramref name="counted"/>), all in one write: the months' buckets, read fresh and replaced under
    /// their ETags, and the interview's counted record. False when another writer got in first.
    /// </summary>
    public async Task<bool> CountAsync(Interview interview, Stored<InsightsCounted>? counted, CancellationToken cancellationToken)
    {
        var contribution = InsightsContribution.Of(interview);
        var writes = new List<DocumentWrite>(await MonthWritesAsync(interview.UserId, counted?.Value.Contribution, contribution, cancellationToken))
        {
            _counted.Write(interview.Id.ToString("D"), new InsightsCounted(interview.Version, contribution.Month.Index, contribution.Counters), counted?.ETag),
        };
        return (await container.WriteAsync(Partition(interview.UserId), writes, cancellationToken)).IsSuccess;
    }

    /// <summary>The counters of the months <paramref name="from"/> to <paramref name="to"/> (inclusive) added up, by point reads.</summary>
    public async Task<Dictionary<string, long>> SumAsync(Guid userId, InsightsMonth from, InsightsMonth to, CancellationToken cancellationToken)
    {
        var reads = new List<Task<Stored<InsightsMonthDocument>?>>();
        for (var m = from.Index; m <= to.Index; m++)
        {
            reads.Add(_months.ReadAsync(Partition(userId), new InsightsMonth(m).ToString(), cancellationToken));
        }

        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var month in await Task.WhenAll(reads))
        {
            foreach (var (key, value) in month?.Value.Counters ?? [])
            {
                sum[key] = sum.GetValueOrDefault(key) + value;
            }
        }

        return sum;
    }

    /// <summary>The bucket writes of a change from <paramref name="before"/> to <paramref name="after"/>: each a replace under the ETag just read, or a create.</summary>
    private async Task<IReadOnlyList<DocumentWrite>> MonthWritesAsync(Guid userId, InsightsContribution? before, InsightsContribution after, CancellationToken cancellationToken)
    {
        var deltas = new Dictionary<InsightsMonth, Dictionary<string, long>>();
        void Apply(InsightsContribution contribution, int sign)
        {
            if (!deltas.TryGetValue(contribution.Month, out var delta))
            {
                deltas[contribution.Month] = delta = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            foreach (var (key, value) in contribution.Counters)
            {
                delta[key] = delta.GetValueOrDefault(key) + (sign * value);
            }
        }

        if (before is not null)
        {
            Apply(before, -1);
        }

        Apply(after, 1);
        var writes = new List<DocumentWrite>(2);
        foreach (var (month, delta) in deltas.OrderBy(d => d.Key.Index))
        {
            if (delta.Values.All(v => v == 0))
            {
                continue; // Nothing this bucket counts changed (notes, location…): leave it alone.
            }

            var stored = await _months.ReadAsync(Partition(userId), month.ToString(), cancellationToken);
            var counters = new SortedDictionary<string, long>(stored?.Value.Counters ?? [], StringComparer.Ordinal);
            foreach (var (key, value) in delta)
            {
                var sum = counters.GetValueOrDefault(key) + value;
                if (sum == 0)
                {
                    counters.Remove(key);
                }
                else
                {
                    counters[key] = sum;
                }
            }

            writes.Add(_months.Write(month.ToString(), new InsightsMonthDocument(month.ToString(), counters), stored?.ETag));
        }

        return writes;
    }

    private static string Partition(Guid userId) => userId.ToString("D");
}

/// <summary>The insights' records a user's export lists as stored: the monthly counters.</summary>
public sealed class InsightsRecordKinds : IExportedRecordKinds
{
    public IReadOnlyList<string> Kinds { get; } = [InsightsStore.Kind];
}
