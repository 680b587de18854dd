using System.Globalization;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Reminders;

public enum ReminderStatus
{
    /// <summary>Waiting for <see cref="Reminder.SendAfter"/>.</summary>
    Due,
    /// <summary>Claimed by a sender until <see cref="Reminder.SendAfter"/>; after that another sender may take it over.</summary>
    Sending,
    Sent,
    /// <summary>No longer relevant when its time came (cancelled, started, no address…).</summary>
    Dropped,
}

/// <summary>A reminder e-mail to send, one document in the reminders container's partition of its due hour.</summary>
public sealed record Reminder(
    Guid UserId,
    Guid InterviewId,
    ReminderKind ReminderKind,
    int? MinutesBefore,
    DateTimeOffset DueAt,
    DateTimeOffset SendAfter,
    ReminderStatus Status,
    int Attempts,
    string? LastError,
    DateTimeOffset? SentAt);

/// <summary>The reminders planned for one interview (a document in the user's partition), so that the planner can find them to change or drop.</summary>
public sealed record ReminderPlan(Guid InterviewId, IReadOnlyList<ReminderPlanEntry> Entries);

public sealed record ReminderPlanEntry(string Id, string Hour, DateTimeOffset DueAt);

/// <summary>
/// Reminders live in their own container partitioned by the hour they become due ("2026-01-05T14"),
/// so that the sender finds what is due by reading a few hourly partitions — never every user's.
/// Each interview's plan lives beside the interview, in the user's partition.
/// </summary>
public sealed class ReminderStore(IDocumentContainer reminders, IDocumentContainer interviews)
{
    public const string Kind = "reminder";
    public const string PlanKind = "reminder-plan";

    public static IReadOnlyList<IndexDefinition> Indexes { get; } = [new("reminders_by_time", Kind, [], "sendAfter")];

    public static string Hour(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);

    public static DateTimeOffset StartOfHour(string hour) =>
        DateTimeOffset.ParseExact(hour + ":00:00Z", "yyyy-MM-dd'T'HH:mm:ssZ", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private readonly DocumentKind<Reminder> _reminders = new(reminders, Kind, key => key);
    private readonly DocumentKind<ReminderPlan> _plans = new(interviews, PlanKind);

    public async Task<(ReminderPlan Plan, string? ETag)> GetPlanAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken) =>
        await _plans.ReadAsync(Partition(userId), Key(interviewId), cancellationToken) is { } stored
            ? (stored.Value, stored.ETag)
            : (new ReminderPlan(interviewId, []), null);

    /// <summary>Saves a plan (created when <paramref name="etag"/> is null); false when it changed meanwhile.</summary>
    public async Task<bool> SavePlanAsync(Guid userId, ReminderPlan plan, string? etag, CancellationToken cancellationToken) =>
        await _plans.SaveAsync(Partition(userId), Key(plan.InterviewId), plan, etag, cancellationToken) is not null;

    public async Task<(Reminder Reminder, string ETag)?> GetAsync(string hour, string id, CancellationToken cancellationToken) =>
        await _reminders.ReadAsync(hour, id, cancellationToken) is { } stored ? (stored.Value, stored.ETag) : null;

    /// <summary>Creates a reminder; one that already exists (a repeated delivery) is left as it is.</summary>
    public Task CreateAsync(string hour, string id, Reminder reminder, CancellationToken cancellationToken) =>
        _reminders.SaveAsync(hour, id, reminder, null, cancellationToken);

    /// <summary>Replaces a reminder if it still has <paramref name="etag"/>; returns the new ETag, or null if it changed meanwhile.</summary>
    public Task<string?> ReplaceAsync(string hour, string id, Reminder reminder, string etag, CancellationToken cancellationToken) =>
        _reminders.SaveAsync(hour, id, reminder, etag, cancellationToken);

    /// <summary>Deletes a reminder if it still has <paramref name="etag"/>; one that changed or went meanwhile is left.</summary>
    public Task DeleteAsync(string hour, string id, string etag, CancellationToken cancellationToken) =>
        _reminders.DeleteAsync(hour, id, etag, cancellationToken);

    /// <summary>The reminders of an hour that are not finished (due or being sent), soonest first.</summary>
    public async Task<IReadOnlyList<(string Id, Reminder Reminder, string ETag)>> PendingAsync(string hour, CancellationToken cancellationToken)
    {
        var pending = new List<(string, Reminder, string)>();
        DocumentCursor? cursor = null;
        do
        {
            var page = await reminders.QueryAsync(
                new DocumentQuery(hour, Kind, [FieldFilter.In("status", nameof(ReminderStatus.Due), nameof(ReminderStatus.Sending))], "sendAfter", 200, cursor),
                cancellationToken);
            pending.AddRange(page.Items.Select(d => (d.Id, _reminders.Read(d), d.ETag)));
            cursor = page.Next;
        }
        while (cursor is not null);

        return pending;
    }

    /// <summary>The plans in a user's partition, one per interview that ever had reminders (a user's export and erasure).</summary>
    public IAsyncEnumerable<ReminderPlan> PlansOfAsync(Guid userId, CancellationToken cancellationToken) =>
        _plans.InPartitionAsync(Partition(userId), cancellationToken).Select(p => p.Document.Value);

    /// <summary>The reminders of a plan that still exist (for a user's export).</summary>
    public async Task<IReadOnlyList<Reminder>> OfPlanAsync(ReminderPlan plan, CancellationToken cancellationToken)
    {
        var found = new List<Reminder>(plan.Entries.Count);
        foreach (var entry in plan.Entries)
        {
            if (await _reminders.ReadAsync(entry.Hour, entry.Id, cancellationToken) is { } stored)
            {
                found.Add(stored.Value);
            }
        }

        return found;
    }

    /// <summary>Deletes the reminders of a plan whatever their state (a user's erasure); missing ones are fine.</summary>
    public async Task DeleteAllAsync(ReminderPlan plan, CancellationToken cancellationToken)
    {
        foreach (var entry in plan.Entries)
        {
            await _reminders.DeleteAsync(entry.Hour, entry.Id, null, cancellationToken);
        }
    }

    private static string Partition(Guid userId) => userId.ToString("D");

    private static string Key(Guid interviewId) => interviewId.ToString("D");
}
