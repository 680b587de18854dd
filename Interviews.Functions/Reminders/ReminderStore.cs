using System.Globalization;
using System.Text.Json;
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

    public async Task<(ReminderPlan Plan, string? ETag)> GetPlanAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken)
    {
        var document = await interviews.ReadAsync(userId.ToString("D"), PlanId(interviewId), cancellationToken);
        return document is null
            ? (new ReminderPlan(interviewId, []), null)
            : (JsonSerializer.Deserialize<ReminderPlan>(document.Json, StorageJson.Options)!, document.ETag);
    }

    public async Task<bool> SavePlanAsync(Guid userId, ReminderPlan plan, string? etag, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(plan, StorageJson.Options);
        var id = PlanId(plan.InterviewId);
        var outcome = await interviews.WriteAsync(
            userId.ToString("D"),
            [etag is null ? DocumentWrite.Create(id, PlanKind, json) : DocumentWrite.Replace(id, PlanKind, json, etag)],
            cancellationToken);
        return Succeeded(outcome);
    }

    public async Task<(Reminder Reminder, string ETag)?> GetAsync(string hour, string id, CancellationToken cancellationToken)
    {
        var document = await reminders.ReadAsync(hour, id, cancellationToken);
        return document is null ? null : (Deserialize(document), document.ETag);
    }

    /// <summary>Creates a reminder; one that already exists (a repeated delivery) is left as it is.</summary>
    public async Task CreateAsync(string hour, string id, Reminder reminder, CancellationToken cancellationToken)
    {
        var outcome = await reminders.WriteAsync(hour, [DocumentWrite.Create(id, Kind, Serialize(reminder))], cancellationToken);
        if (!outcome.IsSuccess && outcome.Failure != WriteFailure.AlreadyExists)
        {
            Succeeded(outcome);
        }
    }

    /// <summary>Replaces a reminder if it still has <paramref name="etag"/>; returns the new ETag, or null if it changed meanwhile.</summary>
    public async Task<string?> ReplaceAsync(string hour, string id, Reminder reminder, string etag, CancellationToken cancellationToken)
    {
        var outcome = await reminders.WriteAsync(hour, [DocumentWrite.Replace(id, Kind, Serialize(reminder), etag)], cancellationToken);
        if (outcome.IsSuccess)
        {
            return outcome.ETags[0];
        }

        _ = Succeeded(outcome);
        return null;
    }

    public async Task DeleteAsync(string hour, string id, string etag, CancellationToken cancellationToken)
    {
        var outcome = await reminders.WriteAsync(hour, [DocumentWrite.Delete(id, Kind, etag)], cancellationToken);
        if (!outcome.IsSuccess && outcome.Failure is not (WriteFailure.NotFound or WriteFailure.PreconditionFailed))
        {
            Succeeded(outcome);
        }
    }

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
            pending.AddRange(page.Items.Select(d => (d.Id, Deserialize(d), d.ETag)));
            cursor = page.Next;
        }
        while (cursor is not null);

        return pending;
    }

    /// <summary>The reminders of a plan that still exist (for a user's export).</summary>
    public async Task<IReadOnlyList<Reminder>> OfPlanAsync(ReminderPlan plan, CancellationToken cancellationToken)
    {
        var found = new List<Reminder>(plan.Entries.Count);
        foreach (var entry in plan.Entries)
        {
            if (await reminders.ReadAsync(entry.Hour, entry.Id, cancellationToken) is { } document)
            {
                found.Add(Deserialize(document));
            }
        }

        return found;
    }

    /// <summary>Deletes the reminders of a plan whatever their state (a user's erasure); missing ones are fine.</summary>
    public async Task DeleteAllAsync(ReminderPlan plan, CancellationToken cancellationToken)
    {
        foreach (var entry in plan.Entries)
        {
            var outcome = await reminders.WriteAsync(entry.Hour, [DocumentWrite.Delete(entry.Id, Kind)], cancellationToken);
            if (!outcome.IsSuccess && outcome.Failure != WriteFailure.NotFound)
            {
                Succeeded(outcome);
            }
        }
    }

    private static string PlanId(Guid interviewId) => $"reminder-plan:{interviewId:D}";

    private static string Serialize(Reminder reminder) => JsonSerializer.Serialize(reminder, StorageJson.Options);

    private static Reminder Deserialize(StoredDocument document) => JsonSerializer.Deserialize<Reminder>(document.Json, StorageJson.Options)!;

    /// <summary>A conflict is an answer; an unavailable store is an exception, so that the caller retries later.</summary>
    private static bool Succeeded(WriteOutcome outcome) => outcome.Failure switch
    {
        null => true,
        WriteFailure.Unavailable => throw new StoreUnavailableException("The store is unavailable."),
        _ => false,
    };
}
