namespace Interviews.Functions.Storage;

/// <summary>
/// The one seam between the typed stores and a storage backend: a container of JSON documents
/// grouped in partitions (a user's id), with point reads, atomic conditional writes within one
/// partition, an ordered keyset query over a few indexed fields, and a change feed. Cosmos DB and the
/// embedded SQLite file each implement it once; every typed store is written once on top of it, through
/// <see cref="DocumentKind{T}"/>.
/// </summary>
/// <remarks>
/// One failure policy for every operation: a backend that cannot serve it for now (throttled, down,
/// timed out, a full disk, a lock held elsewhere, an I/O error) throws
/// <see cref="StoreUnavailableException"/>, after a bounded wait. A write that loses a race (the id is
/// taken, the ETag changed, the document is gone) is an answer, <see cref="WriteOutcome.Failure"/>.
/// Every other failure is a bug and throws.
/// </remarks>
public interface IDocumentContainer
{
    Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken);

    /// <summary>Applies every write or none of them. All writes are in <paramref name="partitionKey"/>.</summary>
    Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken);

    /// <summary>One page of a partition's documents of one kind, ordered by a field then by id.</summary>
    Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The page <see cref="QueryAsync"/> would return, with each document's summary in place of its body:
    /// the JSON its typed store wrote beside the body (<see cref="DocumentWrite.Summary"/>), as UTF-8, or
    /// null for a document written without one. A list is then read without reading or parsing the bodies.
    /// </summary>
    Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The change feed: documents created or replaced after <paramref name="continuation"/> (null: from
    /// the beginning), at most <paramref name="maxItems"/>, in write order within each partition; each
    /// document appears in its latest version. Deletes do not appear. <see cref="FeedPage.Continuation"/>
    /// is where the next read starts; the reader saves it (a <see cref="ICheckpointStore"/>) only after
    /// it has handled the page.
    /// </summary>
    Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken);

    /// <summary>
    /// Checks that the backend takes a write now: writes a probe document of its own (never a typed
    /// store's), so that a full disk or a held lock shows, not only a backend that answers reads.
    /// </summary>
    Task ProbeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One page of every document of a partition, any kind, ordered by id, after the id
    /// <paramref name="afterId"/> (null: from the start); for a user's export and erasure, never for a
    /// request path. <see cref="DocumentPage.Next"/> carries the last id. Backends that cannot list a
    /// partition do not support export and erasure. (A member every implementation must write: a
    /// default that throws let decorators compile while breaking export.)
    /// </summary>
    Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken);
}

/// <summary>A page of the change feed and the continuation after it (unchanged when the page is empty).</summary>
public sealed record FeedPage(IReadOnlyList<StoredDocument> Items, string? Continuation);

/// <summary>Where feed readers got to (SQLite: a table; Cosmos DB: the <c>leases</c> container).</summary>
public interface ICheckpointStore
{
    Task<string?> ReadAsync(string name, CancellationToken cancellationToken);

    Task WriteAsync(string name, string continuation, CancellationToken cancellationToken);
}

/// <summary>
/// A document as stored: <see cref="Json"/> is the body the typed store wrote (Cosmos DB returns it
/// with <c>id</c>, <c>userId</c> and <c>kind</c> added, which typed stores ignore or already have).
/// </summary>
public sealed record StoredDocument(string PartitionKey, string Id, string Kind, string ETag, string Json);

public enum WriteKind
{
    /// <summary>Fails with <see cref="WriteFailure.AlreadyExists"/> when the id is taken.</summary>
    Create,
    /// <summary>Fails with <see cref="WriteFailure.PreconditionFailed"/> unless the current ETag is <see cref="DocumentWrite.IfMatch"/>.</summary>
    Replace,
    /// <summary>Fails with <see cref="WriteFailure.PreconditionFailed"/> when <see cref="DocumentWrite.IfMatch"/> is set and differs.</summary>
    Delete,
}

/// <summary>One write of an atomic batch. <see cref="TimeToLive"/> makes the document expire (events).</summary>
public sealed record DocumentWrite(WriteKind Kind, string Id, string DocumentKind, string? Json, string? IfMatch = null, TimeSpan? TimeToLive = null)
{
    /// <summary>
    /// A JSON object stored beside the body and returned by <see cref="IDocumentContainer.QuerySummariesAsync"/>:
    /// what a list shows of the document, written when the document is (a materialized view that is never
    /// stale, because it is written in the same atomic write). Its format is the typed store's.
    /// </summary>
    public string? Summary { get; init; }

    /// <summary>The version of the typed store's summary format that <see cref="Summary"/> was written in (0: none said).</summary>
    public int SummaryVersion { get; init; }

    public static DocumentWrite Create(string id, string kind, string json, TimeSpan? timeToLive = null) =>
        new(WriteKind.Create, id, kind, json, null, timeToLive);

    public static DocumentWrite Replace(string id, string kind, string json, string ifMatch) =>
        new(WriteKind.Replace, id, kind, json, ifMatch);

    public static DocumentWrite Delete(string id, string kind, string? ifMatch = null) => new(WriteKind.Delete, id, kind, null, ifMatch);
}

public enum WriteFailure
{
    AlreadyExists,
    PreconditionFailed,
    NotFound,
}

/// <summary>Either every write applied (with the new ETags, in order; null for deletes) or none, with the reason.</summary>
public sealed record WriteOutcome(IReadOnlyList<string?> ETags, WriteFailure? Failure, int FailedIndex = -1)
{
    public bool IsSuccess => Failure is null;

    public static WriteOutcome Failed(WriteFailure failure, int index) => new([], failure, index);
}

public enum FilterOperator
{
    Equal,
    GreaterOrEqual,
    LessThan,
    In,
}

/// <summary>A condition on a top-level string field of the body. Field names come from code, never from a request.</summary>
public sealed record FieldFilter(string Field, FilterOperator Operator, IReadOnlyList<string> Values)
{
    public static FieldFilter Equal(string field, string value) => new(field, FilterOperator.Equal, [value]);

    public static FieldFilter AtLeast(string field, string value) => new(field, FilterOperator.GreaterOrEqual, [value]);

    public static FieldFilter Below(string field, string value) => new(field, FilterOperator.LessThan, [value]);

    public static FieldFilter In(string field, params string[] values) => new(field, FilterOperator.In, values);
}

/// <summary>Where the previous page ended: its last document's order value and id.</summary>
public sealed record DocumentCursor(string OrderValue, string Id);

/// <summary>
/// Documents of <see cref="Kind"/> in one partition matching every filter, ordered by
/// <see cref="OrderBy"/> then id (both ascending), after <see cref="After"/>, at most <see cref="Limit"/>.
/// </summary>
public sealed record DocumentQuery(
    string PartitionKey,
    string Kind,
    IReadOnlyList<FieldFilter> Filters,
    string OrderBy,
    int Limit,
    DocumentCursor? After);

/// <summary>A page; <see cref="Next"/> is null on the last one.</summary>
public sealed record DocumentPage(IReadOnlyList<StoredDocument> Items, DocumentCursor? Next);

/// <summary>A document's id, its summary as UTF-8 JSON (null: written without one) and the summary's format version.</summary>
public sealed record DocumentSummary(string Id, byte[]? Utf8Json, int Version);

/// <summary>A page of summaries; <see cref="Next"/> is null on the last one.</summary>
public sealed record SummaryPage(IReadOnlyList<DocumentSummary> Items, DocumentCursor? Next);

/// <summary>A composite index a typed store needs: equality fields first, then the order field.</summary>
public sealed record IndexDefinition(string Name, string Kind, IReadOnlyList<string> EqualityFields, string OrderField);
