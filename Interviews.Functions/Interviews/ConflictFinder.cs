using Interviews.Functions.Settings;
using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Interviews;

/// <summary>Settings of the interview features (section <c>Interviews</c>).</summary>
public sealed class InterviewFeatureSettings : ICheckedSettings
{
    public const string Section = "Interviews";
    public static readonly TimeSpan MaxConflictBuffer = TimeSpan.FromHours(12);

    /// <summary>Two interviews closer than this (end of one to start of the other) are reported as a conflict; default 30 minutes.</summary>
    public TimeSpan ConflictBuffer { get; set; } = TimeSpan.FromMinutes(30);

    public IEnumerable<string> Problems()
    {
        if (ConflictBuffer < TimeSpan.Zero || ConflictBuffer > MaxConflictBuffer)
        {
            yield return $"Setting {Section}:ConflictBuffer must be between 00:00:00 and {MaxConflictBuffer:c}, e.g. 00:30:00.";
        }
    }
}

/// <summary>
/// Finds the user's other open interviews that overlap an interview or come within the conflict buffer
/// of it. One single-partition keyset query over the (kind, scheduledAt, id) index: every interview that
/// could touch [start − buffer, end + buffer) starts in [start − buffer − the longest duration,
/// end + buffer); the exact overlap is then computed in memory. Cancelled and completed interviews
/// never conflict, and an interview that is not open has no conflicts.
/// </summary>
public sealed class ConflictFinder(InterviewStore store, InterviewFeatureSettings settings)
{
    /// <summary>A guard for pathological calendars: at most this many conflicts are reported.</summary>
    public const int MaxConflicts = 100;

    public async Task<IReadOnlyList<InterviewConflict>> FindAsync(Interview interview, CancellationToken cancellationToken)
    {
        if (!InterviewTransitions.IsOpen(interview.Status))
        {
            return [];
        }

        var buffer = settings.ConflictBuffer;
        var start = interview.ScheduledAt;
        var end = start.AddMinutes(interview.Duration);
        var conflicts = new List<InterviewConflict>();
        DocumentCursor? cursor = null;
        do
        {
            // The stored list items, not the interviews: four fields of each are needed, and a dense
            // calendar puts dozens of interviews in the window. The status is checked here, from the
            // item, not in the query: SQLite then reads the window from the time index without parsing
            // each body for its status.
            var page = await store.ListItemsAsync(
                interview.UserId,
                new InterviewQuery(
                    ScheduledFrom: start - buffer - TimeSpan.FromMinutes(InterviewLimits.MaxDuration),
                    ScheduledBefore: end + buffer,
                    Limit: 200,
                    After: cursor),
                cancellationToken);
            foreach (var item in page.Items)
            {
                var other = JsonSerializer.Deserialize<Slot>(item, InterviewListItem.Json)
                    ?? throw new InvalidOperationException("A stored interview summary is empty.");
                if (other.Id == interview.Id || !InterviewTransitions.IsOpen(other.Status))
                {
                    continue;
                }

                var otherStart = other.ScheduledAt;
                var otherEnd = otherStart.AddMinutes(other.Duration);
                // Closer than the buffer (strictly): back-to-back interviews with no buffer do not conflict.
                if (otherStart < end + buffer && start < otherEnd + buffer)
                {
                    var overlap = (Min(end, otherEnd) - Max(start, otherStart)).TotalMinutes;
                    conflicts.Add(new InterviewConflict(
                        other.Id, otherStart, other.Duration, otherEnd, (int)Math.Max(0, overlap), (int)Math.Max(0, -overlap)));
                    if (conflicts.Count == MaxConflicts)
                    {
                        return conflicts;
                    }
                }
            }

            cursor = page.Next;
        }
        while (cursor is not null);

        return conflicts;
    }

    /// <summary>The fields of a stored <see cref="InterviewListItem"/> a conflict needs; the others are skipped unread.</summary>
    private sealed record Slot(Guid Id, InterviewStatus Status, DateTimeOffset ScheduledAt, int Duration);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
