using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Interviews.Domain;
using Interviews.Functions.Storage;
using Interviews.Tests.Support;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace Interviews.Tests.Storage;

/// <summary>
/// The exact shape of the Cosmos DB write batch, and the throttling and unavailability paths, which no
/// local server produces: the SDK's Container and batch types mocked.
/// </summary>
public sealed class CosmosBatchTests
{
    private const string StoredETag = "\"etag-1\"";

    private readonly Mock<Container> _documents = new(MockBehavior.Strict);
    private readonly Mock<TransactionalBatch> _batch = new(MockBehavior.Strict);
    private readonly List<BatchOperation> _operations = [];
    private PartitionKey? _batchPartition;

    public CosmosBatchTests()
    {
        _documents.Setup(c => c.CreateTransactionalBatch(It.IsAny<PartitionKey>()))
            .Callback<PartitionKey>(key => _batchPartition = key)
            .Returns(_batch.Object);
        _batch.Setup(b => b.CreateItemStream(It.IsAny<Stream>(), It.IsAny<TransactionalBatchItemRequestOptions>()))
            .Callback<Stream, TransactionalBatchItemRequestOptions>((body, options) => _operations.Add(new("create", null, Body(body), options)))
            .Returns(_batch.Object);
        _batch.Setup(b => b.ReplaceItemStream(It.IsAny<string>(), It.IsAny<Stream>(), It.IsAny<TransactionalBatchItemRequestOptions>()))
            .Callback<string, Stream, TransactionalBatchItemRequestOptions>((id, body, options) => _operations.Add(new("replace", id, Body(body), options)))
            .Returns(_batch.Object);
        _batch.Setup(b => b.DeleteItem(It.IsAny<string>(), It.IsAny<TransactionalBatchItemRequestOptions>()))
            .Callback<string, TransactionalBatchItemRequestOptions>((id, options) => _operations.Add(new("delete", id, null, options)))
            .Returns(_batch.Object);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_change_is_one_batch_in_the_users_partition_replacing_if_match_and_creating_events_with_ttl()
    {
        Answer(HttpStatusCode.OK, (HttpStatusCode.OK, "\"etag-2\""), (HttpStatusCode.Created, "\"e\""));
        var interview = new InterviewBuilder().Build();
        Assert.True(interview.Cancel(InterviewBuilder.ScheduledOn.AddHours(1)).IsSuccess);
        var events = interview.PendingEvents.Count;

        var saved = await Store().SaveAsync(interview, StoredETag, Token);

        Assert.True(saved.Saved);
        Assert.Equal("\"etag-2\"", saved.ETag);
        Assert.Equal(new PartitionKey(interview.UserId.ToString()), _batchPartition);
        _batch.Verify(b => b.ExecuteAsync(It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(1 + events, _operations.Count);

        var replace = _operations[0];
        Assert.Equal(("replace", interview.Id.ToString()), (replace.Kind, replace.Id));
        Assert.Equal(StoredETag, replace.Options.IfMatchEtag);
        Assert.Equal(interview.Id.ToString(), replace.Body!["id"]!.GetValue<string>());
        Assert.Equal(interview.UserId.ToString(), replace.Body["userId"]!.GetValue<string>());
        Assert.Equal(InterviewStore.Kind, replace.Body["kind"]!.GetValue<string>());
        Assert.Null(replace.Body["ttl"]);

        foreach (var create in _operations.Skip(1))
        {
            Assert.Equal("create", create.Kind);
            Assert.Null(create.Options.IfMatchEtag);
            Assert.Equal(EventDocument.Kind, create.Body!["kind"]!.GetValue<string>());
            Assert.Equal(interview.UserId.ToString(), create.Body["userId"]!.GetValue<string>());
            Assert.Equal((int)TimeSpan.FromDays(7).TotalSeconds, create.Body["ttl"]!.GetValue<int>());
        }

        Assert.Empty(interview.PendingEvents);
    }

    [Fact]
    public async Task A_412_from_the_batch_is_a_failed_precondition_and_keeps_the_events_pending()
    {
        Answer(HttpStatusCode.PreconditionFailed, (HttpStatusCode.PreconditionFailed, null), (HttpStatusCode.FailedDependency, null));
        var interview = new InterviewBuilder().Build();
        Assert.True(interview.Cancel(InterviewBuilder.ScheduledOn.AddHours(1)).IsSuccess);
        var events = interview.PendingEvents.ToList();

        var outcome = await Container().WriteAsync(interview.UserId.ToString(), [Replace("a"), Create("e1")], Token);
        Assert.Equal(WriteFailure.PreconditionFailed, outcome.Failure);
        Assert.Equal(0, outcome.FailedIndex);
        Assert.Empty(outcome.ETags);

        var saved = await Store().SaveAsync(interview, StoredETag, Token);
        Assert.False(saved.Saved);
        Assert.Equal(-1, saved.LostCompanion);
        Assert.Equal(events, interview.PendingEvents);
    }

    [Fact]
    public async Task A_409_from_the_batch_is_an_existing_id_at_the_operation_that_failed()
    {
        Answer(HttpStatusCode.Conflict, (HttpStatusCode.FailedDependency, null), (HttpStatusCode.Conflict, null));
        var outcome = await Container().WriteAsync("p1", [Replace("a"), Create("b")], Token);
        Assert.Equal(WriteFailure.AlreadyExists, outcome.Failure);
        Assert.Equal(1, outcome.FailedIndex);
    }

    [Fact]
    public async Task A_429_after_the_SDKs_retries_is_unavailable_and_the_save_keeps_its_events()
    {
        Answer(HttpStatusCode.TooManyRequests);
        var interview = Succeeded(new InterviewBuilder().TrySchedule());
        var events = interview.PendingEvents.ToList();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => Store().CreateAsync(interview, Token));

        Assert.Equal(events, interview.PendingEvents);
    }

    [Fact]
    public async Task A_thrown_503_or_timeout_from_the_batch_is_unavailable()
    {
        _batch.Setup(b => b.ExecuteAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("down", HttpStatusCode.ServiceUnavailable, 0, "activity", 1));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => Container().WriteAsync("p1", [Create("a")], Token));

        _batch.Setup(b => b.ExecuteAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("slow", HttpStatusCode.RequestTimeout, 0, "activity", 1));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => Container().WriteAsync("p1", [Create("a")], Token));
    }

    [Fact]
    public async Task A_successful_batch_returns_the_etags_in_order_and_null_for_deletes()
    {
        Answer(HttpStatusCode.OK, (HttpStatusCode.OK, "\"r\""), (HttpStatusCode.NoContent, null), (HttpStatusCode.Created, "\"c\""));
        var outcome = await Container().WriteAsync("p1", [Replace("a"), DocumentWrite.Delete("b", "thing", "\"b1\""), Create("c")], Token);
        Assert.True(outcome.IsSuccess);
        Assert.Equal(["\"r\"", null, "\"c\""], outcome.ETags);
        Assert.Equal(["replace", "delete", "create"], _operations.Select(o => o.Kind));
        Assert.Equal("\"b1\"", _operations[1].Options.IfMatchEtag);
    }

    [Fact]
    public async Task A_throttled_read_or_query_throws_store_unavailable_with_the_servers_retry_after()
    {
        var throttled = new ResponseMessage(HttpStatusCode.TooManyRequests);
        throttled.Headers["x-ms-retry-after-ms"] = "1500";
        _documents.Setup(c => c.ReadItemStreamAsync("a", It.IsAny<PartitionKey>(), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(throttled);
        var read = await Assert.ThrowsAsync<StoreUnavailableException>(() => Container().ReadAsync("p1", "a", Token));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), read.RetryAfter);

        var iterator = new Mock<FeedIterator>();
        iterator.Setup(i => i.HasMoreResults).Returns(true);
        iterator.Setup(i => i.ReadNextAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("busy", HttpStatusCode.ServiceUnavailable, 0, "activity", 0));
        _documents.Setup(c => c.GetItemQueryStreamIterator(It.IsAny<QueryDefinition>(), null, It.IsAny<QueryRequestOptions>()))
            .Returns(iterator.Object);
        await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            Container().QueryAsync(new DocumentQuery("p1", "thing", [], "at", 10, null), Token));
    }

    [Fact]
    public async Task The_request_charge_of_each_write_is_recorded_with_its_operation()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var charges = new List<(double Value, object? Operation)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == CosmosDocumentContainer.RequestChargeInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => charges.Add((value, tags.ToArray().Single(t => t.Key == "operation").Value)));
        listener.Start();

        Answer(HttpStatusCode.OK, 7.5, (HttpStatusCode.Created, "\"c\""));
        var container = new CosmosDocumentContainer(_documents.Object, Mock.Of<Container>(), Indexes, NullLogger<CosmosDocumentContainer>.Instance, meters);
        await container.WriteAsync("p1", [Create("a")], Token);

        Assert.Equal([(7.5, (object?)"write")], charges);
    }

    [Fact]
    public void The_query_is_parameterized_keyset_sql_ordered_like_a_composite_index()
    {
        var query = CosmosDocumentContainer.BuildQuery(
            new DocumentQuery("p1", "thing", [FieldFilter.Equal("colour", "red"), FieldFilter.In("size", "S", "M"), FieldFilter.AtLeast("at", "2026")], "at", 10, new DocumentCursor("2026-02", "x")),
            Indexes);
        var text = query.QueryText;
        Assert.Equal(
            "SELECT TOP @top * FROM c WHERE c.kind = @kind AND c.colour = @f0_0 AND c.size IN (@f1_0, @f1_1) AND c.at >= @f2_0"
            + " AND c.at >= @afterOrder AND (c.at > @afterOrder OR c.id > @afterId) ORDER BY c.kind, c.colour, c.at, c.id",
            text);
        Assert.DoesNotContain("red", text, StringComparison.Ordinal);
        Assert.DoesNotContain("OFFSET", text, StringComparison.Ordinal);
        var parameters = query.GetQueryParameters().ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(11, parameters["@top"]);
        Assert.Equal("red", parameters["@f0_0"]);
        Assert.Equal("x", parameters["@afterId"]);
    }

    [Fact]
    public void The_client_options_carry_the_retry_settings_and_system_text_json()
    {
        var options = new CosmosSettings { MaxRetryAttemptsOnRateLimitedRequests = 3, MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(4) }.ClientOptions();
        Assert.Equal(3, options.MaxRetryAttemptsOnRateLimitedRequests);
        Assert.Equal(TimeSpan.FromSeconds(4), options.MaxRetryWaitTimeOnRateLimitedRequests);
        Assert.Same(StorageJson.Options, options.UseSystemTextJsonSerializerWithOptions);
        Assert.Equal(ConnectionMode.Direct, options.ConnectionMode);
    }

    private static IReadOnlyList<IndexDefinition> Indexes { get; } =
    [
        new("things_by_time", "thing", [], "at"),
        new("things_by_colour", "thing", ["colour"], "at"),
    ];

    private CosmosDocumentContainer Container() =>
        new(_documents.Object, Mock.Of<Container>(), Indexes, NullLogger<CosmosDocumentContainer>.Instance);

    private InterviewStore Store() =>
        InterviewStores.Over(new CosmosDocumentContainer(_documents.Object, Mock.Of<Container>(), InterviewStore.Indexes, NullLogger<CosmosDocumentContainer>.Instance));

    private void Answer(HttpStatusCode status, params (HttpStatusCode Status, string? ETag)[] results) => Answer(status, 1, results);

    /// <summary>The batch's answer; with no operation results the whole batch failed before any ran (throttled).</summary>
    private void Answer(HttpStatusCode status, double charge, params (HttpStatusCode Status, string? ETag)[] results)
    {
        var response = new Mock<TransactionalBatchResponse>();
        response.Setup(r => r.StatusCode).Returns(status);
        response.Setup(r => r.IsSuccessStatusCode).Returns((int)status is >= 200 and < 300);
        response.Setup(r => r.RequestCharge).Returns(charge);
        response.Setup(r => r.ErrorMessage).Returns("mocked");
        response.Setup(r => r.Count).Returns(results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            var result = new Mock<TransactionalBatchOperationResult>();
            result.Setup(r => r.StatusCode).Returns(results[i].Status);
            result.Setup(r => r.ETag).Returns(results[i].ETag!);
            var index = i;
            response.Setup(r => r[index]).Returns(result.Object);
        }

        _batch.Setup(b => b.ExecuteAsync(It.IsAny<CancellationToken>())).ReturnsAsync(response.Object);
    }

    private static DocumentWrite Create(string id) => DocumentWrite.Create(id, "thing", """{"at":"2026-01-01"}""");

    private static DocumentWrite Replace(string id) => DocumentWrite.Replace(id, "thing", """{"at":"2026-01-01"}""", StoredETag);

    private static JsonObject Body(Stream stream)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        var body = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
        stream.Position = 0;
        return body;
    }

    private static T Succeeded<T>(Result<T> result) => result.IsSuccess ? result.Value : throw new InvalidOperationException(result.Error!.Message);

    private sealed record BatchOperation(string Kind, string? Id, JsonObject? Body, TransactionalBatchItemRequestOptions Options);
}
