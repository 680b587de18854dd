using Interviews.Functions.Storage;
using System.Globalization;
using System.Text.Json;
using Interviews.Domain;

namespace Interviews.Functions.Insights;

/// <summary>
/// What one interview adds to its user's insights: counters under named keys, all in the bucket of the
/// month of its <see cref="Interview.ScheduledAt"/> (UTC). Subtracting the contribution of the state an
/// interview was loaded in and adding that of its new state keeps the monthly buckets exact.
/// </summary>
public sealed record InsightsContribution(InsightsMonth Month, IReadOnlyDictionary<string, long> Counters)
{
    /// <summary>The upper bounds (hours, exclusive) of the completion → thank-you histogram; the last bin is open.</summary>
    public static IReadOnlyList<int> ThankYouHourBounds { get; } = [1, 2, 4, 8, 12, 24, 48, 96];

    public static readonly string[] ChecklistItems = ["researchCompleted", "questionsPrepped", "materialsGathered"];

    public static InsightsContribution Of(Interview interview)
    {
        var c = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string key, long value)
        {
            if (value != 0)
            {
                c[key] = c.GetValueOrDefault(key) + value;
            }
        }

        var type = interview.InterviewType.ToString();
        Add("total", 1);
        Add("status:" + interview.Status, 1);
        Add("type:" + type, 1);
        Add("planned:sum", interview.Duration);
        Add("app:" + interview.ApplicationId.ToString("D"), 1);
        foreach (var reschedule in interview.RescheduleHistory)
        {
            Add("reschedule:" + reschedule.InitiatedBy, 1);
        }

        if (interview.PerformanceRating is { } rating)
        {
            Add("rating:sum", rating);
            Add("rating:count", 1);
            Add("rating:sum:" + type, rating);
            Add("rating:count:" + type, 1);
        }

        if (interview.Status == InterviewStatus.Completed)
        {
            Add("completed", 1);
            bool[] done = [interview.ResearchCompleted, interview.QuestionsPrepped, interview.MaterialsGathered];
            for (var i = 0; i < ChecklistItems.Length; i++)
            {
                var side = done[i] ? "done" : "notdone";
                Add($"prep:{ChecklistItems[i]}:{side}", 1);
                if (interview.PerformanceRating is { } r)
                {
                    Add($"prep:{ChecklistItems[i]}:{side}:ratingSum", r);
                    Add($"prep:{ChecklistItems[i]}:{side}:ratingCount", 1);
                }
            }

            if (interview.ThankYouNoteSent)
            {
                Add("thankyou", 1);
                if (interview.CompletedAt is { } completedAt && interview.ThankYouSentAt is { } sentAt)
                {
                    Add("thankyou:bin:" + HourBin((sentAt - completedAt).TotalHours), 1);
                }
            }

            if (interview.ActualDuration is { } actual)
            {
                Add("actual:count", 1);
                Add("actual:sum", actual);
                Add("actual:planned", interview.Duration);
            }
        }

        return new InsightsContribution(InsightsMonth.Of(interview.ScheduledAt), c);
    }

    /// <summary>The index of the histogram bin holding <paramref name="hours"/>.</summary>
    public static int HourBin(double hours)
    {
        for (var i = 0; i < ThankYouHourBounds.Count; i++)
        {
            if (hours < ThankYouHourBounds[i])
            {
                return i;
            }
        }

        return ThankYouHourBounds.Count;
    }
}

/// <summary>A UTC calendar month, as a month index (year × 12 + month − 1) so that arithmetic is plain.</summary>
public readonly record struct InsightsMonth(int Index)
{
    public static InsightsMonth Min { get; } = new(12); // 0001-01

    public static InsightsMonth Max { get; } = new((9999 * 12) + 11); // 9999-12

    public int Year => Index / 12;

    public int Month => (Index % 12) + 1;

    public static InsightsMonth Of(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return new((utc.Year * 12) + utc.Month - 1);
    }

    public static InsightsMonth Of(int year, int month) => new((year * 12) + month - 1);

    /// <summary>Adds months, staying within 0001-01 … 9999-12.</summary>
    public InsightsMonth Plus(int months) => new((int)Math.Clamp((long)Index + months, Min.Index, Max.Index));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");
}

/// <summary>
/// The monthly insights buckets: one document per user and month (kind <c>insights-month</c>, id
/// <c>insights:yyyy-MM</c>) in the user's partition, holding the sum of the contributions of the
/// interviews scheduled in that month. Only the event pump's <see cref="Events.InsightsProjector"/> writes them, one event at a time.
/// </summary>
public sealed class InsightsStore(IDocumentContainer container)
{
    public const string Kind = "insights-month";

    /// <summary>The bucket documents to write with a change from <paramref name="before"/> to <paramref name="after"/>, read fresh: each is a Replace under the ETag just read, or a Create.</summary>
    public async Task<IReadOnlyList<DocumentWrite>> WritesAsync(Guid userId, InsightsContribution? before, InsightsContribution after, CancellationToken cancellationToken)
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

            var stored = await container.ReadAsync(Partition(userId), Id(month), cancellationToken);
            var counters = stored is null ? new SortedDictionary<string, long>(StringComparer.Ordinal) : Parse(stored).Counters;
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

            var json = JsonSerializer.Serialize(new InsightsMonthDocument(month.ToString(), counters), StorageJson.Options);
            writes.Add(stored is null ? DocumentWrite.Create(Id(month), Kind, json) : DocumentWrite.Replace(Id(month), Kind, json, stored.ETag));
        }

        return writes;
    }

    /// <summary>The counters of the months <paramref name="from"/> to <paramref name="to"/> (inclusive) added up, by point reads.</summary>
    public async Task<Dictionary<string, long>> SumAsync(Guid userId, InsightsMonth from, InsightsMonth to, CancellationToken cancellationToken)
    {
        var reads = new List<Task<StoredDocument?>>();
        for (var m = from.Index; m <= to.Index; m++)
        {
            reads.Add(container.ReadAsync(Partition(userId), Id(new InsightsMonth(m)), cancellationToken));
        }

        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var document in await Task.WhenAll(reads))
        {
            if (document is { Kind: Kind })
            {
                foreach (var (key, value) in Parse(document).Counters)
                {
                    sum[key] = sum.GetValueOrDefault(key) + value;
                }
            }
        }

        return sum;
    }

    public static string Id(InsightsMonth month) => "insights:" + month;

    private static InsightsMonthDocument Parse(StoredDocument document) =>
        JsonSerializer.Deserialize<InsightsMonthDocument>(document.Json, StorageJson.Options) is { Counters: not null } parsed
            ? parsed with { Counters = new SortedDictionary<string, long>(parsed.Counters, StringComparer.Ordinal) }
            : throw new InvalidOperationException($"Insights document {document.Id} is empty.");

    private static string Partition(Guid userId) => userId.ToString("D");
}

/// <summary>The stored form of a month's bucket.</summary>
public sealed record InsightsMonthDocument(string Month, SortedDictionary<string, long> Counters);
