using Interviews.Tests.Support;
using System.Text.Json.Nodes;
using Interviews.Functions.Storage;

namespace Interviews.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IDocumentContainer"/> must have. Each backend runs this suite by
/// deriving from it; a backend that cannot run here (no server) skips with its reason.
/// </summary>
public abstract class DocumentContainerContract
{
    private const string Kind = "thing";

    /// <summary>A fresh, empty container with <see cref="Indexes"/>.</summary>
    protected abstract Task<IDocumentContainer> CreateContainerAsync();

    protected static IReadOnlyList<IndexDefinition> Indexes { get; } =
    [
        new("things_by_time", Kind, [], "at"),
        new("things_by_colour", Kind, ["colour"], "at"),
    ];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reading_a_missing_document_gives_null()
    {
        var container = await CreateContainerAsync();
        Assert.Null(await container.ReadAsync("p1", "nope", Token));
    }

    [Fact]
    public async Task A_created_document_reads_back_with_its_etag()
    {
        var container = await CreateContainerAsync();
        var outcome = await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01"))], Token);
        Assert.True(outcome.IsSuccess);
        var read = await container.ReadAsync("p1", "a", Token);
        Assert.NotNull(read);
        Assert.Equal(outcome.ETags[0], read.ETag);
        Assert.Equal(Kind, read.Kind);
        Assert.Equal("red", JsonNode.Parse(read.Json)!["colour"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_an_existing_id_fails_and_changes_nothing()
    {
        var container = await CreateContainerAsync();
        await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01"))], Token);
        var outcome = await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("blue", "2026-01-01"))], Token);
        Assert.Equal(WriteFailure.AlreadyExists, outcome.Failure);
        Assert.Equal("red", Colour(await container.ReadAsync("p1", "a", Token)));
    }

    [Fact]
    public async Task A_replace_needs_the_current_etag()
    {
        var container = await CreateContainerAsync();
        var created = await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01"))], Token);
        var first = await container.WriteAsync("p1", [DocumentWrite.Replace("a", Kind, Thing("green", "2026-01-01"), created.ETags[0]!)], Token);
        Assert.True(first.IsSuccess);
        Assert.NotEqual(created.ETags[0], first.ETags[0]);

        var stale = await container.WriteAsync("p1", [DocumentWrite.Replace("a", Kind, Thing("blue", "2026-01-01"), created.ETags[0]!)], Token);
        Assert.Equal(WriteFailure.PreconditionFailed, stale.Failure);
        Assert.Equal("green", Colour(await container.ReadAsync("p1", "a", Token)));
    }

    [Fact]
    public async Task A_batch_applies_all_of_its_writes_or_none()
    {
        var container = await CreateContainerAsync();
        var created = await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01")), DocumentWrite.Create("b", Kind, Thing("red", "2026-01-02"))], Token);
        Assert.True(created.IsSuccess);

        // The replace would succeed alone; the create of an existing id fails the whole batch.
        var failed = await container.WriteAsync(
            "p1",
            [DocumentWrite.Replace("a", Kind, Thing("green", "2026-01-01"), created.ETags[0]!), DocumentWrite.Create("c", Kind, Thing("red", "2026-01-03")), DocumentWrite.Create("b", Kind, Thing("red", "2026-01-02"))],
            Token);
        Assert.Equal(WriteFailure.AlreadyExists, failed.Failure);
        Assert.Equal(2, failed.FailedIndex);
        Assert.Equal("red", Colour(await container.ReadAsync("p1", "a", Token)));
        Assert.Null(await container.ReadAsync("p1", "c", Token));
    }

    [Fact]
    public async Task A_delete_removes_the_document()
    {
        var container = await CreateContainerAsync();
        var created = await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01"))], Token);
        Assert.Equal(WriteFailure.PreconditionFailed, (await container.WriteAsync("p1", [DocumentWrite.Delete("a", Kind, "\"stale\"")], Token)).Failure);
        Assert.True((await container.WriteAsync("p1", [DocumentWrite.Delete("a", Kind, created.ETags[0])], Token)).IsSuccess);
        Assert.Null(await container.ReadAsync("p1", "a", Token));
        Assert.Equal(WriteFailure.NotFound, (await container.WriteAsync("p1", [DocumentWrite.Delete("a", Kind)], Token)).Failure);
    }

    [Fact]
    public async Task Partitions_are_isolated()
    {
        var container = await CreateContainerAsync();
        await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01"))], Token);
        Assert.Null(await container.ReadAsync("p2", "a", Token));
        var page = await container.QueryAsync(new DocumentQuery("p2", Kind, [], "at", 10, null), Token);
        Assert.Empty(page.Items);
        // The same id can exist in another partition.
        Assert.True((await container.WriteAsync("p2", [DocumentWrite.Create("a", Kind, Thing("blue", "2026-01-01"))], Token)).IsSuccess);
        Assert.Equal("red", Colour(await container.ReadAsync("p1", "a", Token)));
    }

    [Fact]
    public async Task A_query_filters_orders_and_pages_with_cursors()
    {
        var container = await CreateContainerAsync();
        var writes = Enumerable.Range(0, 25)
            .Select(i => DocumentWrite.Create($"id{i:D2}", Kind, Thing(i % 3 == 0 ? "red" : "blue", $"2026-01-{25 - i:D2}")))
            .Append(DocumentWrite.Create("other-kind", "other", Thing("red", "2026-01-01")))
            .ToList();
        await SeedAsync(container, "p1", writes);

        var seen = new List<string>();
        DocumentCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await container.QueryAsync(new DocumentQuery("p1", Kind, [FieldFilter.Equal("colour", "red")], "at", 3, cursor), Token);
            seen.AddRange(page.Items.Select(d => d.Id));
            cursor = page.Next;
            pages++;
        }
        while (cursor is not null && pages < 20);

        var expected = Enumerable.Range(0, 25).Where(i => i % 3 == 0).OrderByDescending(i => i).Select(i => $"id{i:D2}").ToList();
        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Range_and_in_filters_combine()
    {
        var container = await CreateContainerAsync();
        await SeedAsync(
            container,
            "p1",
            [
                DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01")),
                DocumentWrite.Create("b", Kind, Thing("blue", "2026-01-02")),
                DocumentWrite.Create("c", Kind, Thing("green", "2026-01-03")),
                DocumentWrite.Create("d", Kind, Thing("red", "2026-01-04")),
            ]);
        var page = await container.QueryAsync(
            new DocumentQuery("p1", Kind, [FieldFilter.In("colour", "red", "green"), FieldFilter.AtLeast("at", "2026-01-02"), FieldFilter.Below("at", "2026-01-04")], "at", 10, null),
            Token);
        Assert.Equal(["c"], page.Items.Select(d => d.Id));
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task Ties_in_the_order_field_are_broken_by_id_across_pages()
    {
        var container = await CreateContainerAsync();
        await SeedAsync(container, "p1", [.. new[] { "e", "a", "d", "b", "c" }.Select(id => DocumentWrite.Create(id, Kind, Thing("red", "2026-01-01")))]);
        var first = await container.QueryAsync(new DocumentQuery("p1", Kind, [], "at", 2, null), Token);
        var second = await container.QueryAsync(new DocumentQuery("p1", Kind, [], "at", 2, first.Next), Token);
        var third = await container.QueryAsync(new DocumentQuery("p1", Kind, [], "at", 2, second.Next), Token);
        Assert.Equal(["a", "b", "c", "d", "e"], first.Items.Concat(second.Items).Concat(third.Items).Select(d => d.Id));
        Assert.Null(third.Next);
    }

    [Fact]
    public async Task The_feed_returns_changes_after_a_continuation_in_order()
    {
        var container = await CreateContainerAsync();
        await container.WriteAsync("p1", [DocumentWrite.Create("a", Kind, Thing("red", "2026-01-01"))], Token);
        await container.WriteAsync("p2", [DocumentWrite.Create("b", Kind, Thing("red", "2026-01-01"))], Token);
        var first = await ReadAllAsync(container, null);
        Assert.Equal(["a", "b"], first.Items.Select(d => d.Id).Order());

        var created = await container.ReadAsync("p1", "a", Token);
        await SeedAsync(container, "p1", [DocumentWrite.Replace("a", Kind, Thing("green", "2026-01-01"), created!.ETag), DocumentWrite.Create("c", Kind, Thing("red", "2026-01-02"))]);
        var second = await ReadAllAsync(container, first.Continuation);
        Assert.Equal(["a", "c"], second.Items.Where(d => d.PartitionKey == "p1").Select(d => d.Id));
        Assert.Equal("green", Colour(second.Items.Single(d => d.Id == "a")));

        var nothing = await container.ReadFeedAsync(second.Continuation, 100, Token);
        Assert.Empty(nothing.Items);
    }

    [Fact]
    public async Task A_checkpoint_reads_back_the_last_continuation_written()
    {
        var checkpoints = (ICheckpointStore)await CreateContainerAsync();
        Assert.Null(await checkpoints.ReadAsync("pump", Token));
        await checkpoints.WriteAsync("pump", "first", Token);
        await checkpoints.WriteAsync("pump", "second", Token);
        await checkpoints.WriteAsync("other", "x", Token);
        Assert.Equal("second", await checkpoints.ReadAsync("pump", Token));
    }

    /// <summary>Writes test data one document at a time: each write its own change, in the order given.</summary>
    private static async Task SeedAsync(IDocumentContainer container, string partitionKey, IEnumerable<DocumentWrite> writes)
    {
        foreach (var write in writes)
        {
            Assert.True((await container.WriteAsync(partitionKey, [write], Token)).IsSuccess);
        }
    }

    private static async Task<FeedPage> ReadAllAsync(IDocumentContainer container, string? continuation)
    {
        var items = new List<StoredDocument>();
        for (var i = 0; i < 50; i++)
        {
            var page = await container.ReadFeedAsync(continuation, 100, Token);
            items.AddRange(page.Items);
            continuation = page.Continuation;
            if (page.Items.Count == 0)
            {
                break;
            }
        }

        return new FeedPage(items, continuation);
    }

    [Fact]
    public async Task A_partition_lists_every_document_of_any_kind_by_id_page_by_page_and_only_its_own()
    {
        var container = await CreateContainerAsync();
        string[] ids = ["e", "a", "d", "b", "c"];
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            Assert.True((await container.WriteAsync("p1", [DocumentWrite.Create(id, i % 2 == 0 ? Kind : "other", Thing("red", "2026-01-01"))], Token)).IsSuccess);
        }

        await container.WriteAsync("p2", [DocumentWrite.Create("a0", Kind, Thing("blue", "2026-01-01"))], Token);
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await container.ReadPartitionAsync("p1", after, 2, Token);
            seen.AddRange(page.Items.Select(d => d.Id));
            Assert.All(page.Items, d => Assert.Equal("p1", d.PartitionKey));
            after = page.Next?.Id;
            pages++;
        }
        while (after is not null);

        Assert.Equal(["a", "b", "c", "d", "e"], seen);
        Assert.Equal(3, pages);
        Assert.Empty((await container.ReadPartitionAsync("p3", null, 10, Token)).Items);
    }

    [Fact]
    public async Task A_summary_query_pages_like_the_query_and_returns_each_documents_latest_summary_and_its_version_not_its_body()
    {
        var container = await CreateContainerAsync();
        var writes = Enumerable.Range(0, 7)
            .Select(i => DocumentWrite.Create($"id{i}", Kind, Thing(i % 2 == 0 ? "red" : "blue", $"2026-01-{10 - i:D2}")) with { Summary = Summary($"thing {i}"), SummaryVersion = 3 })
            .Append(DocumentWrite.Create("bare", Kind, Thing("red", "2026-01-20")))
            .ToList();
        await SeedAsync(container, "p1", writes);
        var third = await container.ReadAsync("p1", "id2", Token);
        await container.WriteAsync("p1", [DocumentWrite.Replace("id2", Kind, Thing("red", "2026-01-08"), third!.ETag) with { Summary = Summary("thing 2, renamed — ünïcödé"), SummaryVersion = 4 }], Token);

        var query = new DocumentQuery("p1", Kind, [FieldFilter.Equal("colour", "red")], "at", 2, null);
        var bodies = new List<string>();
        var summaries = new List<DocumentSummary>();
        DocumentCursor? cursor = null;
        var pages = 0;
        do
        {
            var bodyPage = await container.QueryAsync(query with { After = cursor }, Token);
            var summaryPage = await container.QuerySummariesAsync(query with { After = cursor }, Token);
            Assert.Equal(bodyPage.Next, summaryPage.Next);
            bodies.AddRange(bodyPage.Items.Select(d => d.Id));
            summaries.AddRange(summaryPage.Items);
            cursor = summaryPage.Next;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(["id6", "id4", "id2", "id0", "bare"], bodies);
        Assert.Equal(bodies, summaries.Select(s => s.Id));
        Assert.Equal(
            ["thing 6", "thing 4", "thing 2, renamed — ünïcödé", "thing 0"],
            summaries.Take(4).Select(s => JsonNode.Parse(s.Utf8Json!)!["name"]!.GetValue<string>()));
        Assert.All(summaries.Take(4), s => Assert.Null(JsonNode.Parse(s.Utf8Json!)!["colour"]));
        Assert.Equal([3, 3, 4, 3, 0], summaries.Select(s => s.Version));
        Assert.Null(summaries[^1].Utf8Json);
        Assert.Null(JsonNode.Parse((await container.ReadAsync("p1", "id0", Token))!.Json)!["summary"]);
    }

    private static string Summary(string name) => new JsonObject { ["name"] = name }.ToJsonString();

    private static string Thing(string colour, string at) => new JsonObject { ["colour"] = colour, ["at"] = at }.ToJsonString();

    private static string? Colour(StoredDocument? document) =>
        document is null ? null : JsonNode.Parse(document.Json)!["colour"]!.GetValue<string>();
}

/// <summary>The contract on the embedded store, on a real SQLite file.</summary>
public sealed class SqliteDocumentContainerTests : DocumentContainerContract, IDisposable
{
    private readonly TestFolder _folder = new();

    private string DatabasePath => _folder.Database();

    protected override Task<IDocumentContainer> CreateContainerAsync() =>
        Task.FromResult<IDocumentContainer>(new SqliteDocumentContainer(DatabasePath, Indexes, TimeProvider.System));

    [Fact]
    public async Task The_write_ahead_log_stays_bounded_under_a_steady_stream_of_writes_and_reads()
    {
        const int maxFrames = 2_048; // 8 MiB
        var container = new SqliteDocumentContainer(DatabasePath, Indexes, TimeProvider.System) { MaxWalFrames = maxFrames };
        var body = new System.Text.Json.Nodes.JsonObject { ["colour"] = "red", ["at"] = "2026-01-01", ["notes"] = new string('n', 2_000) }.ToJsonString();
        var wal = DatabasePath + "-wal";
        using var stop = new CancellationTokenSource();
        // Readers all the time, as under load: with one always reading, the WAL never starts again by itself.
        // Their own threads: SQLite calls never yield, and two loops would hold both of the pool's threads.
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    container.QueryAsync(new DocumentQuery("p1", "thing", [], "at", 5, null), CancellationToken.None).GetAwaiter().GetResult();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToList();

        long largest = 0;
        for (var i = 0; i < 4_000; i++)
        {
            Assert.True((await container.WriteAsync("p1", [DocumentWrite.Create($"id{i:D5}", "thing", body)], TestContext.Current.CancellationToken)).IsSuccess);
            largest = Math.Max(largest, new FileInfo(wal).Length);
            if (i % 200 == 199)
            {
                // Bursts with pauses, as requests come: the checkpoint runs in the background between them
                // (a tight loop on a test machine busy with other tests could outrun it by any margin).
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);

        // 4,000 documents of 2 KiB (over 30 MiB of WAL frames) went through a WAL kept near its limit.
        Assert.InRange(largest, 1, 3L * maxFrames * 4096);
        Assert.Equal(4_000, (await container.ReadPartitionAsync("p1", null, 5_000, TestContext.Current.CancellationToken)).Items.Count);
    }

    [Fact]
    public async Task A_writers_commits_neither_sync_the_disk_nor_checkpoint()
    {
        // Both are settings of a connection, not of the file: a pooled writer must carry them itself.
        var container = new SqliteDocumentContainer(DatabasePath, Indexes, TimeProvider.System);
        await using var writer = await container.OpenWriterAsync(TestContext.Current.CancellationToken);
        await using var command = writer.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)); // NORMAL
        command.CommandText = "PRAGMA wal_autocheckpoint";
        Assert.Equal(0L, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        _folder.Dispose();
    }
}
