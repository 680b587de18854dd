using Interviews.Functions.Events;
using Interviews.Functions.Storage;
using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Http;

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
    DocumentCursor? After = null);

public sealed record InterviewPage(IReadOnlyList<Interview> Items, DocumentCursor? Next);

/// <summary>A list page of stored summaries (UTF-8 JSON of <see cref="InterviewSummary"/>), in order.</summary>
public sealed record InterviewSummaryPage(IReadOnlyList<byte[]> Items, DocumentCursor? Next);

/// <summary>
/// Interviews of a user, one document each in the user's partition (interviewers and reschedule
/// history embedded), saved together with the domain events the change recorded — the outbox — in
/// one atomic write, under optimistic concurrency on the ETag.
/// </summary>
public sealed class InterviewStore(IDocumentContainer container, StorageSettings settings)
{
    public const string InterviewKind = "interview";
    public const string EventKind = "event";

    /// <summary>The indexes the list queries need (SQLite builds them; Cosmos DB has them in its indexing policy).</summary>
    public static IReadOnlyList<IndexDefinition> Indexes { get; } =
    [
        new("interviews_by_time", InterviewKind, [], "scheduledAt"),
        new("interviews_by_status", InterviewKind, ["status"], "scheduledAt"),
        new("interviews_by_application", InterviewKind, ["applicationId"], "scheduledAt"),
        new("interviews_by_type", InterviewKind, ["interviewType"], "scheduledAt"),
    ];

    /// <summary>A save that the store could not take now (throttled, down, timed out); the client may retry.</summary>
    public static Error StoreUnavailable { get; } = new(ErrorKind.Unavailable, "store-unavailable", "The store is busy or unavailable; retry after the time in Retry-After.");

    public async Task<StoredInterview?> GetAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(Partition(userId), Id(interviewId), cancellationToken);
        return document is { Kind: InterviewKind } ? new StoredInterview(ToInterview(document), document.ETag) : null;
    }

    /// <summary>
    /// Saves a new interview with its events; fails if the id is taken. <paramref name="alsoWrite"/> are
    /// documents of the same partition written in the same batch (an idempotency record).
    /// </summary>
    public Task<Result<string>> CreateAsync(Interview interview, CancellationToken cancellationToken, IReadOnlyList<DocumentWrite>? alsoWrite = null) =>
        WriteAsync(interview, CreateWrite(interview), alsoWrite ?? [], cancellationToken);

    /// <summary>Saves a change with its events (and <paramref name="alsoWrite"/>) if the stored interview still has <paramref name="etag"/>.</summary>
    public Task<Result<string>> SaveAsync(Interview interview, string etag, CancellationToken cancellationToken, IReadOnlyList<DocumentWrite>? alsoWrite = null) =>
        WriteAsync(interview, DocumentWrite.Replace(Id(interview.Id), InterviewKind, Serialize(interview), etag, SummaryJson(interview)), alsoWrite ?? [], cancellationToken);

    /// <summary>The write that creates <paramref name="interview"/>'s document, body and summary (the benchmark seeds with it too).</summary>
    public static DocumentWrite CreateWrite(Interview interview) =>
        DocumentWrite.Create(Id(interview.Id), InterviewKind, Serialize(interview), summary: SummaryJson(interview));

    /// <summary>Full interviews, for code that needs their state (conflicts, reminders, calendars, export).</summary>
    public async Task<InterviewPage> ListAsync(Guid userId, InterviewQuery query, CancellationToken cancellationToken)
    {
        var page = await container.QueryAsync(DocumentQueryOf(userId, query), cancellationToken);
        return new InterviewPage([.. page.Items.Select(ToInterview)], page.Next);
    }

    /// <summary>
    /// A list page as the API answers it: each interview's stored summary, the JSON of
    /// <see cref="InterviewSummary"/>, passed on as it was written with the interview. A document
    /// written before summaries were stored (an older embedded file) has its summary built from the body.
    /// </summary>
    public async Task<InterviewSummaryPage> ListSummariesAsync(Guid userId, InterviewQuery query, CancellationToken cancellationToken)
    {
        var page = await container.QuerySummariesAsync(DocumentQueryOf(userId, query), cancellationToken);
        var items = new List<byte[]>(page.Items.Count);
        foreach (var item in page.Items)
        {
            if (item.Utf8Json is { } json)
            {
                items.Add(json);
            }
            else if (await container.ReadAsync(Partition(userId), item.Id, cancellationToken) is { Kind: InterviewKind } document)
            {
                items.Add(System.Text.Encoding.UTF8.GetBytes(SummaryJson(ToInterview(document))));
            }
        }

        return new InterviewSummaryPage(items, page.Next);
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

        if (query.ApplicationId is { } applicationId)
        {
            filters.Add(FieldFilter.Equal("applicationId", Id(applicationId)));
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

        return new DocumentQuery(Partition(userId), InterviewKind, filters, "scheduledAt", query.Limit, query.After);
    }

    private async Task<Result<string>> WriteAsync(Interview interview, DocumentWrite write, IReadOnlyList<DocumentWrite> alsoWrite, CancellationToken cancellationToken)
    {
        var writes = new List<DocumentWrite>(1 + alsoWrite.Count + interview.PendingEvents.Count) { write };
        writes.AddRange(alsoWrite);
        writes.AddRange(interview.PendingEvents.Select(e => DocumentWrite.Create(Id(e.EventId), EventKind, SerializeEvent(e), settings.EventTimeToLive)));
        var outcome = await container.WriteAsync(Partition(interview.UserId), writes, cancellationToken);
        if (!outcome.IsSuccess)
        {
            // Nothing was written: the events stay pending, so a retry saves them with the change.
            return outcome.Failure == WriteFailure.Unavailable ? StoreUnavailable
                : outcome.FailedIndex >= 0 && outcome.FailedIndex < writes.Count && writes[outcome.FailedIndex].DocumentKind == IdempotencyStore.Kind ? IdempotencyStore.KeyTaken
                : new Error(ErrorKind.Conflict, "write-conflict", "The interview was changed by another request.");
        }

        interview.ClearPendingEvents();
        return outcome.ETags[0]!;
    }

    private static Interview ToInterview(StoredDocument document) =>
        Interview.Restore(JsonSerializer.Deserialize<InterviewSnapshot>(document.Json, StorageJson.Options)
            ?? throw new InvalidOperationException($"Document {document.Id} is empty."));

    private static string Serialize(Interview interview) => JsonSerializer.Serialize(interview.ToSnapshot(), StorageJson.Options);

    /// <summary>
    /// The summary stored with each save: the list's item exactly as the API writes it, so that a list
    /// page is the stored bytes. Derived values (the local time, the video provider) are as of the save;
    /// a later change of a zone's rules shows in the list when the interview is next saved, and at once
    /// in GET. A change of <see cref="InterviewSummary"/>'s shape needs every stored summary rewritten
    /// (or cleared, after which lists build them from the bodies).
    /// </summary>
    private static string SummaryJson(Interview interview) => JsonSerializer.Serialize(InterviewSummary.From(interview), ApiJson.Options);

    /// <summary>An event document: its type name, the interview it belongs to, and the event's own fields as data.</summary>
    private static string SerializeEvent(IDomainEvent domainEvent) => JsonSerializer.Serialize(
        new EventDocument(
            domainEvent.GetType().Name,
            domainEvent.InterviewId,
            domainEvent.UserId,
            domainEvent.OccurredAt,
            JsonSerializer.SerializeToElement(domainEvent, domainEvent.GetType(), StorageJson.Options)),
        StorageJson.Options);

    private static string Partition(Guid userId) => Id(userId);

    private static string Id(Guid id) => id.ToString("D");
}
