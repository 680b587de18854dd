using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Storage;

/// <summary>
/// The production backend: Cosmos DB (NoSQL), one container partitioned by <c>/userId</c>. A document is
/// the seam's body plus <c>id</c>, <c>userId</c> (the partition key), <c>kind</c> and, for expiring
/// documents, <c>ttl</c> in seconds; <c>_etag</c> is its ETag. Writes are one
/// <see cref="TransactionalBatch"/> per call; queries are parameterized single-partition SQL with keyset
/// paging ordered to match a composite index; the feed is the change feed pull model; checkpoints
/// are documents in the <c>leases</c> container. Every request's RU charge is logged (debug) and
/// recorded in the histogram <c>interviews.cosmos.request_charge</c> of the meter <c>Interviews.Storage</c>.
/// </summary>
public sealed partial class CosmosDocumentContainer : IDocumentContainer, ICheckpointStore
{
    public const string MeterName = "Interviews.Storage";
    public const string RequestChargeInstrument = "interviews.cosmos.request_charge";
    /// <summary>The partition key field of the interviews container.</summary>
    public const string PartitionKeyField = "userId";
    public const string KindField = "kind";
    /// <summary>Where a document's <see cref="DocumentWrite.Summary"/> is kept: a property beside the body's, excluded from indexing.</summary>
    public const string SummaryField = "summary";

    /// <summary>Where a document's <see cref="DocumentWrite.SummaryVersion"/> is kept, beside the summary.</summary>
    public const string SummaryVersionField = "summaryVersion";

    /// <summary>The most writes one TransactionalBatch may hold.</summary>
    public const int MaxBatchWrites = 100;

    private static readonly Meter SharedMeter = new(MeterName);
    private static readonly string[] SystemProperties = ["_rid", "_self", "_etag", "_attachments", "_ts", "_lsn", "ttl", SummaryField, SummaryVersionField];
    private const string ProbeId = "health-probe";

    // Cosmos DB SQL keywords, which cannot follow "c." as a field name.
    private static readonly HashSet<string> SqlKeywords = new(
        ["and", "array", "as", "asc", "between", "by", "case", "cast", "convert", "cross", "desc", "distinct", "else", "end", "escape", "exists", "false",
         "for", "from", "group", "having", "in", "inner", "insert", "into", "is", "join", "left", "like", "limit", "not", "null", "offset", "on", "or",
         "order", "outer", "over", "right", "select", "set", "then", "top", "true", "udf", "undefined", "update", "value", "when", "where", "with"],
        StringComparer.OrdinalIgnoreCase);

    private readonly Container _documents;
    private readonly Container _leases;
    private readonly IReadOnlyList<IndexDefinition> _indexes;
    private readonly ILogger _logger;
    private readonly Histogram<double> _requestCharge;
    private readonly string _partitionKeyField;

    public CosmosDocumentContainer(Container documents, Container leases, IEnumerable<IndexDefinition> indexes, ILogger<CosmosDocumentContainer> logger, IMeterFactory? meterFactory = null)
        : this(documents, leases, indexes, logger, meterFactory, PartitionKeyField)
    {
    }

    private CosmosDocumentContainer(Container documents, Container leases, IEnumerable<IndexDefinition> indexes, ILogger logger, IMeterFactory? meterFactory, string partitionKeyField)
    {
        _partitionKeyField = partitionKeyField;
        _documents = documents;
        _leases = leases;
        _indexes = [.. indexes];
        _logger = logger;
        var meter = meterFactory?.Create(MeterName) ?? SharedMeter;
        _requestCharge = meter.CreateHistogram<double>(RequestChargeInstrument, "RU", "Request units charged by Cosmos DB, per request or query page.");
    }

    /// <summary>The app's store: the containers of containers.json in the configured database.</summary>
    public static CosmosDocumentContainer Create(CosmosClient client, CosmosSettings settings, IEnumerable<IndexDefinition> indexes, ILogger<CosmosDocumentContainer> logger, IMeterFactory? meterFactory)
    {
        var database = settings.DatabaseName ?? CosmosContainerDefinitions.Embedded.DatabaseName;
        return new CosmosDocumentContainer(
            client.GetContainer(database, CosmosContainerDefinitions.DocumentsContainer),
            client.GetContainer(database, CosmosContainerDefinitions.LeasesContainer),
            indexes,
            logger,
            meterFactory);
    }

    /// <summary>The reminders container of containers.json: the same seam, partitioned by the hour reminders are due.</summary>
    public static CosmosDocumentContainer CreateReminders(CosmosClient client, CosmosSettings settings, IEnumerable<IndexDefinition> indexes, ILogger<CosmosDocumentContainer> logger, IMeterFactory? meterFactory)
    {
        var database = settings.DatabaseName ?? CosmosContainerDefinitions.Embedded.DatabaseName;
        return new CosmosDocumentContainer(
            client.GetContainer(database, CosmosContainerDefinitions.RemindersContainer),
            client.GetContainer(database, CosmosContainerDefinitions.LeasesContainer),
            indexes,
            logger,
            meterFactory,
            CosmosContainerDefinitions.Embedded[CosmosContainerDefinitions.RemindersContainer].PartitionKeyPath.TrimStart('/'));
    }

    public async Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("read", () => _documents.ReadItemStreamAsync(id, new PartitionKey(partitionKey), null, cancellationToken), cancellationToken);
        if (IsMissingItem(response))
        {
            return null;
        }

        EnsureSuccess(response, "read");
        return ToStored(await ParseObjectAsync(response.Content, cancellationToken), partitionKey);
    }

    public async Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(writes.Count, nameof(writes));
        if (writes.Count > MaxBatchWrites)
        {
            throw new ArgumentException($"A Cosmos DB transactional batch holds at most {MaxBatchWrites} writes; this one has {writes.Count}.", nameof(writes));
        }

        return await WriteBatchAsync(partitionKey, writes, cancellationToken);
    }

    public async Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        var (items, next) = await ReadQueryPageAsync<StoredDocument>(query, BuildQuery(query, _indexes), "query", async (content, token) =>
            [.. (await ParseDocumentsAsync(content, token)).Select(document =>
            {
                var orderValue = document[query.OrderBy] is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";
                var stored = ToStored(document, query.PartitionKey);
                return (stored, stored.Id, orderValue);
            })], cancellationToken);
        return new DocumentPage(items, next);
    }

    /// <summary>The same query projected to the id, the summary and the order value: a page's request charge and bytes without the bodies.</summary>
    public async Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        var projection = $"{Field("id")}, {Field(SummaryField)}, {Field(SummaryVersionField)}, {Field(query.OrderBy)}";
        var (items, next) = await ReadQueryPageAsync<DocumentSummary>(query, BuildQuery(query, _indexes, projection), "query-summaries", async (content, token) =>
        {
            using var page = await JsonDocument.ParseAsync(content, cancellationToken: token);
            if (!page.RootElement.TryGetProperty("Documents", out var documents) || documents.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            return [.. documents.EnumerateArray().Select(document =>
            {
                var summary = document.TryGetProperty(SummaryField, out var value) && value.ValueKind == JsonValueKind.Object
                    ? JsonMarshal.GetRawUtf8Value(value).ToArray()
                    : null;
                var orderValue = document.TryGetProperty(query.OrderBy, out var order) && order.ValueKind == JsonValueKind.String ? order.GetString()! : "";
                var id = document.GetProperty("id").GetString()!;
                var version = document.TryGetProperty(SummaryVersionField, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
                return (new DocumentSummary(id, summary, version), id, orderValue);
            })];
        }, cancellationToken);
        return new SummaryPage(items, next);
    }

    /// <summary>
    /// Reads one keyset page of a single-partition query: the page size + 1 items (the extra one tells
    /// whether there is a next page), reading on when Cosmos DB returns a short page with more to come;
    /// the cursor is the last item's order value and id.
    /// </summary>
    private async Task<(IReadOnlyList<T> Items, DocumentCursor? Next)> ReadQueryPageAsync<T>(
        DocumentQuery query,
        QueryDefinition definition,
        string operation,
        Func<Stream, CancellationToken, Task<IReadOnlyList<(T Item, string Id, string OrderValue)>>> parse,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(query.PartitionKey), MaxItemCount = query.Limit + 1 };
        var items = new List<(T Item, string Id, string OrderValue)>(query.Limit + 1);
        using var iterator = _documents.GetItemQueryStreamIterator(definition, null, options);
        while (items.Count <= query.Limit && iterator.HasMoreResults)
        {
            using var response = await SendAsync(operation, () => iterator.ReadNextAsync(cancellationToken), cancellationToken);
            EnsureSuccess(response, operation);
            items.AddRange(await parse(response.Content, cancellationToken));
        }

        if (items.Count <= query.Limit)
        {
            return ([.. items.Select(i => i.Item)], null);
        }

        var last = items[query.Limit - 1];
        return ([.. items.Take(query.Limit).Select(i => i.Item)], new DocumentCursor(last.OrderValue, last.Id));
    }

    /// <summary>A single-partition query ordered by id (the range index on <c>/id</c>), keyset-paged like <see cref="QueryAsync"/>.</summary>
    public async Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var definition = BuildPartitionQuery(afterId, limit);
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey), MaxItemCount = limit + 1 };
        var items = new List<StoredDocument>(limit + 1);
        using var iterator = _documents.GetItemQueryStreamIterator(definition, null, options);
        while (items.Count <= limit && iterator.HasMoreResults)
        {
            using var response = await SendAsync("partition-read", () => iterator.ReadNextAsync(cancellationToken), cancellationToken);
            EnsureSuccess(response, "partition-read");
            items.AddRange((await ParseDocumentsAsync(response.Content, cancellationToken)).Select(d => ToStored(d, partitionKey)));
        }

        if (items.Count <= limit)
        {
            return new DocumentPage(items, null);
        }

        var page = items.Take(limit).ToList();
        return new DocumentPage(page, new DocumentCursor(page[^1].Id, page[^1].Id));
    }

    internal static QueryDefinition BuildPartitionQuery(string? afterId, int limit) =>
        new QueryDefinition($"SELECT TOP @top * FROM c WHERE {Field("id")} > @after ORDER BY {Field("id")}")
            .WithParameter("@top", limit + 1)
            .WithParameter("@after", afterId ?? "");

    /// <remarks>
    /// The continuation is the SDK's own change feed continuation for the whole container: it already
    /// holds one position per feed range and follows splits and merges, which a hand-kept map of
    /// ranges would have to redo. Each call reads the next page of one range; the SDK moves on to the
    /// next range when one has nothing new, and answers "not modified" only when none has.
    /// </remarks>
    public async Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItems, 1);
        var start = continuation is null ? ChangeFeedStartFrom.Beginning() : ChangeFeedStartFrom.ContinuationToken(continuation);
        using var iterator = _documents.GetChangeFeedStreamIterator(start, ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = maxItems });
        using var response = await SendAsync("feed", () => iterator.ReadNextAsync(cancellationToken), cancellationToken);
        var next = response.ContinuationToken ?? continuation;
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new FeedPage([], next);
        }

        EnsureSuccess(response, "feed");
        var documents = await ParseDocumentsAsync(response.Content, cancellationToken);
        return new FeedPage([.. documents.Select(d => ToStored(d, null))], next);
    }

    async Task<string?> ICheckpointStore.ReadAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("checkpoint-read", () => _leases.ReadItemStreamAsync(CheckpointId(name), new PartitionKey(CheckpointId(name)), null, cancellationToken), cancellationToken);
        if (IsMissingItem(response))
        {
            return null;
        }

        EnsureSuccess(response, "checkpoint-read");
        var document = await ParseObjectAsync(response.Content, cancellationToken);
        return document["continuation"]?.GetValue<string>();
    }

    async Task ICheckpointStore.WriteAsync(string name, string continuation, CancellationToken cancellationToken)
    {
        var id = CheckpointId(name);
        using var body = ToStream(new JsonObject { ["id"] = id, [KindField] = "checkpoint", ["continuation"] = continuation });
        using var response = await SendAsync("checkpoint-write", () => _leases.UpsertItemStreamAsync(body, new PartitionKey(id), null, cancellationToken), cancellationToken);
        EnsureSuccess(response, "checkpoint-write");
    }

    /// <summary>An upsert of the probe document in the <c>leases</c> container (about 10 RU): the account answers, the containers exist and writes are taken.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var body = ToStream(new JsonObject { ["id"] = ProbeId, [KindField] = "health-probe" });
        using var response = await SendAsync("probe", () => _leases.UpsertItemStreamAsync(body, new PartitionKey(ProbeId), null, cancellationToken), cancellationToken);
        EnsureSuccess(response, "probe");
    }

    /// <summary>
    /// The SQL of a page: parameters for every value; ordered by <c>kind</c>, the equality fields of the
    /// best matching <see cref="IndexDefinition"/>, the order field and <c>id</c> — exactly a composite
    /// index (the leading fields are constant under the filter, so the order is the one asked for);
    /// the cursor as a keyset condition, never OFFSET.
    /// </summary>
    internal static QueryDefinition BuildQuery(DocumentQuery query, IReadOnlyList<IndexDefinition> indexes, string projection = "*")
    {
        var equalities = query.Filters.Where(f => f.Operator == FilterOperator.Equal).Select(f => f.Field).ToHashSet(StringComparer.Ordinal);
        var index = indexes
            .Where(i => i.Kind == query.Kind && i.OrderField == query.OrderBy && i.EqualityFields.All(equalities.Contains))
            .MaxBy(i => i.EqualityFields.Count)
            ?? throw new InvalidOperationException($"No index definition serves kind '{query.Kind}' ordered by '{query.OrderBy}'; add one (and its composite index).");

        var parameters = new List<(string Name, object Value)> { ("@top", query.Limit + 1), ("@kind", query.Kind) };
        var sql = new StringBuilder($"SELECT TOP @top {projection} FROM c WHERE {Field(KindField)} = @kind");
        for (var f = 0; f < query.Filters.Count; f++)
        {
            var filter = query.Filters[f];
            var names = filter.Values.Select((value, v) =>
            {
                var name = $"@f{f}_{v}";
                parameters.Add((name, value));
                return name;
            }).ToList();
            var field = Field(filter.Field);
            sql.Append(filter.Operator switch
            {
                FilterOperator.Equal => $" AND {field} = {names[0]}",
                FilterOperator.GreaterOrEqual => $" AND {field} >= {names[0]}",
                FilterOperator.LessThan => $" AND {field} < {names[0]}",
                FilterOperator.In => $" AND {field} IN ({string.Join(", ", names)})",
                _ => throw new ArgumentOutOfRangeException(nameof(query), filter.Operator, "Unknown filter operator."),
            });
        }

        var order = Field(query.OrderBy);
        if (query.After is { } after)
        {
            // (order, id) > (afterOrder, afterId), written so that the range on the order field can seek the index.
            sql.Append(CultureInfo.InvariantCulture, $" AND {order} >= @afterOrder AND ({order} > @afterOrder OR {Field("id")} > @afterId)");
            parameters.Add(("@afterOrder", after.OrderValue));
            parameters.Add(("@afterId", after.Id));
        }

        var orderFields = new[] { KindField }.Concat(index.EqualityFields).Append(query.OrderBy).Append("id");
        sql.Append(" ORDER BY ").AppendJoin(", ", orderFields.Select(Field));

        var definition = new QueryDefinition(sql.ToString());
        foreach (var (name, value) in parameters)
        {
            definition.WithParameter(name, value);
        }

        return definition;
    }

    private async Task<WriteOutcome> WriteBatchAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        var batch = _documents.CreateTransactionalBatch(new PartitionKey(partitionKey));
        var streams = new List<Stream>(writes.Count);
        try
        {
            foreach (var write in writes)
            {
                var options = new TransactionalBatchItemRequestOptions { IfMatchEtag = write.IfMatch, EnableContentResponseOnWrite = false };
                switch (write.Kind)
                {
                    case WriteKind.Create:
                        streams.Add(ToStream(Envelope(partitionKey, write)));
                        batch.CreateItemStream(streams[^1], options);
                        break;
                    case WriteKind.Replace:
                        streams.Add(ToStream(Envelope(partitionKey, write)));
                        batch.ReplaceItemStream(write.Id, streams[^1], options);
                        break;
                    case WriteKind.Delete:
                        batch.DeleteItem(write.Id, options);
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(writes), write.Kind, "Unknown write kind.");
                }
            }

            using var response = await InvokeAsync("write", () => batch.ExecuteAsync(cancellationToken), cancellationToken);
            Record("write", response.RequestCharge);
            if (response.IsSuccessStatusCode)
            {
                return new WriteOutcome([.. writes.Select((w, i) => w.Kind == WriteKind.Delete ? null : response[i].ETag)], null);
            }

            // The whole batch failed and nothing was written; the operation that failed it is the one
            // that is not 424 (failed dependency). A throttled or timed-out batch may have no such one.
            var failedIndex = Enumerable.Range(0, response.Count).FirstOrDefault(i => response[i].StatusCode != HttpStatusCode.FailedDependency, -1);
            var status = failedIndex >= 0 ? response[failedIndex].StatusCode : response.StatusCode;
            return WriteOutcome.Failed(FailureOf(status, response.ErrorMessage), failedIndex);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static WriteFailure FailureOf(HttpStatusCode status, string? message) => status switch
    {
        HttpStatusCode.Conflict => WriteFailure.AlreadyExists,
        HttpStatusCode.PreconditionFailed => WriteFailure.PreconditionFailed,
        HttpStatusCode.NotFound => WriteFailure.NotFound,
        _ when IsTransient(status) => throw new StoreUnavailableException($"Cosmos DB answered the write with {(int)status} after the SDK's retries."),
        _ => throw new InvalidOperationException($"Cosmos DB refused the write: {(int)status} {message}"),
    };

    /// <summary>Sends one request; records its charge; turns throttling, unavailability and timeouts into <see cref="StoreUnavailableException"/>.</summary>
    private async Task<ResponseMessage> SendAsync(string operation, Func<Task<ResponseMessage>> send, CancellationToken cancellationToken)
    {
        var response = await InvokeAsync(operation, send, cancellationToken);
        Record(operation, response.Headers.RequestCharge);
        if (Unavailable(operation, response.StatusCode, RetryAfterOf(response), null) is { } unavailable)
        {
            response.Dispose();
            throw unavailable;
        }

        return response;
    }

    /// <summary>Runs one SDK call; exceptions that mean "unavailable for now" become <see cref="StoreUnavailableException"/>.</summary>
    private async Task<T> InvokeAsync<T>(string operation, Func<Task<T>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send();
        }
        catch (CosmosException e)
        {
            Record(operation, e.RequestCharge);
            throw Unavailable(operation, e.StatusCode, e.RetryAfter, e) ?? (Exception)new InvalidOperationException($"Cosmos DB failed the {operation}: {(int)e.StatusCode} {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The SDK's own timeout, not the caller's cancellation.
            throw new StoreUnavailableException($"Cosmos DB did not answer the {operation} in time.", null, e);
        }
        catch (HttpRequestException e)
        {
            throw new StoreUnavailableException($"Cosmos DB could not be reached for the {operation}.", null, e);
        }
    }

    private static StoreUnavailableException? Unavailable(string operation, HttpStatusCode status, TimeSpan? retryAfter, Exception? inner) =>
        IsTransient(status)
            ? new StoreUnavailableException($"Cosmos DB answered the {operation} with {(int)status} after the SDK's retries.", retryAfter, inner)
            : null;

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout;

    private static TimeSpan? RetryAfterOf(ResponseMessage response) =>
        response.Headers["x-ms-retry-after-ms"] is { } ms && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? TimeSpan.FromMilliseconds(value)
            : null;

    private static void EnsureSuccess(ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Cosmos DB failed the {operation}: {(int)response.StatusCode} {response.ErrorMessage}");
        }
    }

    /// <summary>A 404 for the item, not for a missing container or database (sub-status 1003).</summary>
    private static bool IsMissingItem(ResponseMessage response) =>
        response.StatusCode == HttpStatusCode.NotFound && response.Headers["x-ms-substatus"] is null or "0";

    private void Record(string operation, double charge)
    {
        _requestCharge.Record(charge, new KeyValuePair<string, object?>("operation", operation));
        RequestCharges.Add(charge);
        LogCharge(_logger, operation, charge);
    }

    /// <summary>The body with the envelope fields; a body that already has one of them with another value is a bug.</summary>
    private JsonObject Envelope(string partitionKey, DocumentWrite write)
    {
        var body = JsonNode.Parse(write.Json ?? throw new ArgumentException("A create or replace needs a body.", nameof(write))) as JsonObject
            ?? throw new ArgumentException("A document body must be a JSON object.", nameof(write));
        SetEnvelopeField(body, "id", write.Id);
        SetEnvelopeField(body, _partitionKeyField, partitionKey);
        SetEnvelopeField(body, KindField, write.DocumentKind);
        if (body.ContainsKey("ttl"))
        {
            throw new ArgumentException("'ttl' is reserved for the document's time to live.", nameof(write));
        }

        if (write.TimeToLive is { } ttl)
        {
            body["ttl"] = (int)Math.Clamp(Math.Ceiling(ttl.TotalSeconds), 1, int.MaxValue);
        }

        if (body.ContainsKey(SummaryField) || body.ContainsKey(SummaryVersionField))
        {
            throw new ArgumentException($"'{SummaryField}' and '{SummaryVersionField}' are reserved for the document's summary.", nameof(write));
        }

        if (write.Summary is { } summary)
        {
            body[SummaryField] = JsonNode.Parse(summary) as JsonObject
                ?? throw new ArgumentException("A summary must be a JSON object.", nameof(write));
            body[SummaryVersionField] = write.SummaryVersion;
        }

        return body;
    }

    private static void SetEnvelopeField(JsonObject body, string name, string value)
    {
        if (body[name] is { } existing && !(existing is JsonValue v && v.TryGetValue<string>(out var text) && text == value))
        {
            throw new ArgumentException($"The body's '{name}' differs from the document's {name} '{value}'.", nameof(body));
        }

        body[name] = value;
    }

    /// <summary>A stored document back as the seam's: system properties and <c>ttl</c> removed; <c>id</c>, <c>userId</c> and <c>kind</c> stay.</summary>
    private StoredDocument ToStored(JsonObject document, string? partitionKey)
    {
        var etag = document["_etag"]?.GetValue<string>() ?? throw new InvalidOperationException("A Cosmos DB document without _etag.");
        foreach (var name in SystemProperties)
        {
            document.Remove(name);
        }

        return new StoredDocument(
            partitionKey ?? document[_partitionKeyField]?.GetValue<string>() ?? "",
            document["id"]!.GetValue<string>(),
            document[KindField]?.GetValue<string>() ?? "",
            etag,
            document.ToJsonString());
    }

    private static async Task<JsonObject> ParseObjectAsync(Stream content, CancellationToken cancellationToken) =>
        await JsonNode.ParseAsync(content, cancellationToken: cancellationToken) as JsonObject
        ?? throw new InvalidOperationException("Cosmos DB returned a document that is not a JSON object.");

    /// <summary>The <c>Documents</c> of a query or change feed page.</summary>
    private static async Task<IEnumerable<JsonObject>> ParseDocumentsAsync(Stream content, CancellationToken cancellationToken)
    {
        var page = await ParseObjectAsync(content, cancellationToken);
        return page["Documents"] is JsonArray documents ? documents.OfType<JsonObject>().ToList() : [];
    }

    private static MemoryStream ToStream(JsonObject document) => new(Encoding.UTF8.GetBytes(document.ToJsonString()));

    private static string CheckpointId(string name) =>
        !string.IsNullOrEmpty(name) && name.IndexOfAny(['/', '\\', '?', '#']) < 0
            ? name
            : throw new ArgumentException($"'{name}' cannot be a Cosmos DB id.", nameof(name));

    /// <summary>
    /// A body field in SQL. Names come from code and are plain identifiers; the dot form (the one every
    /// Cosmos DB example uses, in ORDER BY too), and the quoted form only for SQL keywords.
    /// </summary>
    private static string Field(string name) =>
        !IdentifierPattern().IsMatch(name) ? throw new ArgumentException($"'{name}' is not a plain field name.", nameof(name))
        : SqlKeywords.Contains(name) ? $"c[\"{name}\"]"
        : $"c.{name}";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex IdentifierPattern();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cosmos DB {Operation}: {RequestCharge} RU")]
    private static partial void LogCharge(ILogger logger, string operation, double requestCharge);
}
