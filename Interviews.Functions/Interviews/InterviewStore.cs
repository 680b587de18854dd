using System.Runtime.CompilerServices;
using System.Text;
using Interviews.Domain;
using Interviews.Functions.Events;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Interviews;

/// <summary>An interview as loaded, with the ETag its next save must match.</summary>
public sealed record StoredInterview(Interview Interview, string ETag);

/// <summary>Which interviews a list asks for; every filter is optional and they combine with AND.</summary>
public sealed record InterviewQuery(
    InterviewStatus[]? Statuses = null,
    Guid? ApplicationId = null,
    InterviewType? InterviewType = null,
    DateTimeOffset? ScheduledFrom = null,
    DateTimeOffset? ScheduledBefore = null,
    int Limit = 50,
    DocumentCursor? After = null,
    InterviewOutcome? Outcome = null);

public sealed record InterviewPage(IReadOnlyList<Interview> Items, DocumentCursor? Next);

/// <summary>A list page: each interview's <see cref="InterviewListItem"/> as stored (UTF-8 JSON), in order.</summary>
public sealed record InterviewListPage(IReadOnlyList<byte[]> Items, DocumentCursor? Next);

/// <summary>
/// What a save did: the interview's new ETag, or which write lost a race — the interview's own (its id
/// is taken, or it changed since the ETag it was loaded with), or one of the documents written with it
/// (<see cref="LostCompanion"/>: its index). Nothing was written when it lost.
/// </summary>
public readonly record struct InterviewSave(string? ETag, int LostCompanion = -1)
{
    public bool Saved => ETag is not null;

    public static InterviewSave Lost(int companion) => new(null, companion);
}

/// <summary>
/// Interviews of a user, one document each in the user's partition (interviewers and reschedule
/// history embedded) with its <see cref="InterviewListItem"/> beside it, saved together with the events
/// the change recorded — the outbox — and any companion documents of the same partition (an idempotency
/// record, another feature's document) in one atomic write, under optimistic concurrency on the ETag.
/// </summary>
public sealed class InterviewStore(IDocumentContainer container, EventCatalog events, StorageSettings settings) : IInterviewReader
{
    public const string Kind = "interview";

    /// <summary>The indexes the list queries need (SQLite builds them; Cosmos DB has them in its indexing policy).</summary>
    public static IReadOnlyList<IndexDefinition> Indexes { get; } =
    [
        new("interviews_by_time", Kind, [], "scheduledAt"),
        new("interviews_by_status", Kind, ["status"], "scheduledAt"),
        new("interviews_by_application", Kind, ["applicationId"], "scheduledAt"),
        new("interviews_by_type", Kind, ["interviewType"], "scheduledAt"),
    ];

    /// <summary>The statuses of an interview that is still to happen.</summary>
    private static readonly InterviewStatus[] OpenStatuses = [InterviewStatus.Scheduled, InterviewStatus.Prepared, InterviewStatus.Rescheduled];

    private readonly DocumentKind<InterviewSnapshot> _interviews = new(container, Kind, key => key);

    public async Task<StoredInterview?> GetAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken) =>
        await _interviews.ReadAsync(Partition(userId), Key(interviewId), cancellationToken) is { } stored
            ? new StoredInterview(Interview.Restore(stored.Value), stored.ETag)
            : null;

    async Task<Interview?> IInterviewReader.FindAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken) =>
        (await GetAsync(userId, interviewId, cancellationToken))?.Interview;

    async IAsyncEnumerable<Interview> IInterviewReader.ListAsync(
        Guid userId, DateTimeOffset? from, bool openOnly, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new InterviewQuery(Statuses: openOnly ? OpenStatuses : null, ScheduledFrom: from, Limit: 200);
        do
        {
            var page = await ListAsync(userId, query, cancellationToken);
            foreach (var interview in page.Items)
            {
                yield return interview;
            }

            query = query with { After = page.Next };
        }
        while (query.After is not null);
    }

    /// <summary>
    /// Saves <paramref name="interview"/> with its pending events and <paramref name="companions"/> (documents
    /// of the same partition), all or nothing: a new interview when <paramref name="etag"/> is null, else a
    /// change of the version with that ETag. Its pending events are cleared once saved, kept when not (a
    /// retry saves them with the change).
    /// </summary>
    public async Task<InterviewSave> SaveAsync(Interview interview, string? etag, IReadOnlyList<DocumentWrite> companions, CancellationToken cancellationToken)
    {
        var writes = new List<DocumentWrite>(1 + companions.Count + interview.PendingEvents.Count) { WriteOf(interview, etag) };
        writes.AddRange(companions);
        writes.AddRange(interview.PendingEvents.Select(e => events.Write(e, settings.EventTimeToLive)));
        var outcome = await container.WriteAsync(Partition(interview.UserId), writes, cancellationToken);
        if (!outcome.IsSuccess)
        {
            var companion = outcome.FailedIndex - 1;
            return InterviewSave.Lost(companion >= 0 && companion < companions.Count ? companion : -1);
        }

        interview.ClearPendingEvents();
        return new InterviewSave(outcome.ETags[0]!);
    }

    /// <summary>The write of <paramref name="interview"/>'s document and its list item, without its events (the benchmark seeds with it).</summary>
    public DocumentWrite WriteOf(Interview interview, string? etag) =>
        _interviews.Write(Key(interview.Id), interview.ToSnapshot(), etag, summary: InterviewListItem.Serialize(interview)) with { SummaryVersion = InterviewListItem.SchemaVersion };

    /// <summary>Full interviews, for code that needs their state (reminders, calendars, export).</summary>
    public async Task<InterviewPage> ListAsync(Guid userId, InterviewQuery query, CancellationToken cancellationToken)
    {
        var page = await container.QueryAsync(DocumentQueryOf(userId, query), cancellationToken);
        return new InterviewPage([.. page.Items.Select(d => Interview.Restore(_interviews.Read(d)))], page.Next);
    }

    /// <summary>
    /// A list page: each interview's stored <see cref="InterviewListItem"/>, passed on as written with the
    /// interview. An item written in another version of the record, or a document written before items
    /// were stored, is rebuilt from the interview's body.
    /// </summary>
    public async Task<InterviewListPage> ListItemsAsync(Guid userId, InterviewQuery query, CancellationToken cancellationToken)
    {
        var page = await container.QuerySummariesAsync(DocumentQueryOf(userId, query), cancellationToken);
        var items = new List<byte[]>(page.Items.Count);
        foreach (var item in page.Items)
        {
            if (item is { Utf8Json: { } json, Version: InterviewListItem.SchemaVersion })
            {
                items.Add(json);
            }
            else if (await _interviews.ReadAsync(Partition(userId), item.Id, cancellationToken) is { } stale)
            {
                items.Add(Encoding.UTF8.GetBytes(InterviewListItem.Serialize(Interview.Restore(stale.Value))));
            }
        }

        return new InterviewListPage(items, page.Next);
    }

    private static DocumentQuery DocumentQueryOf(Guid userId, InterviewQuery query)
    {
        var filters = new List<FieldFilter>();
        if (query.Statuses is { Length: > 0 } statuses)
        {
            filters.Add(statuses.Length == 1
                ? FieldFilter.Equal("status", statuses[0].ToString())
                : FieldFilter.In("status", [.. statuses.Select(s => s.ToString())]));
        }

        if (query.Outcome is { } outcome)
        {
            // Only a completed interview has an outcome: without a status filter of its own, the query
            // says so, and the status index narrows it to the completed ones before the outcome is read.
            if (query.Statuses is not { Length: > 0 })
            {
                filters.Add(FieldFilter.Equal("status", nameof(InterviewStatus.Completed)));
            }

            filters.Add(FieldFilter.Equal("outcome", outcome.ToString()));
        }

        if (query.ApplicationId is { } applicationId)
        {
            filters.Add(FieldFilter.Equal("applicationId", Key(applicationId)));
        }

        if (query.InterviewType is { } type)
        {
            filters.Add(FieldFilter.Equal("interviewType", type.ToString()));
        }

        if (query.ScheduledFrom is { } from)
        {
            filters.Add(FieldFilter.AtLeast("scheduledAt", StorageJson.Instant(from)));
        }

        if (query.ScheduledBefore is { } before)
        {
            filters.Add(FieldFilter.Below("scheduledAt", StorageJson.Instant(before)));
        }

        return new DocumentQuery(Partition(userId), Kind, filters, "scheduledAt", query.Limit, query.After);
    }

    private static string Partition(Guid userId) => Key(userId);

    private static string Key(Guid id) => id.ToString("D");
}
