using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Interviews.Domain;
using Interviews.Functions.Storage;
using Interviews.Tests.Support;

namespace Interviews.Tests.Storage;

/// <summary>The interview store over a real SQLite file: full round trips, the outbox, optimistic concurrency.</summary>
public sealed class InterviewStoreTests : IDisposable
{
    private readonly TestFolder _folder = new();

    private string DatabasePath => _folder.Database();
    private readonly SqliteDocumentContainer _container;
    private readonly InterviewStore _store;

    public InterviewStoreTests()
    {
        _container = new SqliteDocumentContainer(DatabasePath, InterviewStore.Indexes, TimeProvider.System);
        _store = InterviewStores.Over(_container, new StorageSettings());
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_field_round_trips()
    {
        var builder = new InterviewBuilder().With("Ada Lovelace", "Grace Hopper").At("Building 7, room 3 — ünïcödé");
        var interview = builder.Build(InterviewStatus.Completed);
        Assert.True(interview.RecordThankYouNote(["ada@example.com"], ThankYouMethod.LinkedIn, "Thanks!", null, builder.Now).IsSuccess);
        await _store.CreateAsync(interview, Token);

        var loaded = await _store.GetAsync(interview.UserId, interview.Id, Token);
        Assert.NotNull(loaded);
        Assert.Equal(Json(interview.ToSnapshot()), Json(loaded.Interview.ToSnapshot()));
    }

    [Fact]
    public async Task A_rescheduled_interview_keeps_its_history()
    {
        var interview = new InterviewBuilder().Build(InterviewStatus.Rescheduled);
        await _store.CreateAsync(interview, Token);
        var loaded = (await _store.GetAsync(interview.UserId, interview.Id, Token))!.Interview;
        var entry = Assert.Single(loaded.RescheduleHistory);
        Assert.Equal(interview.RescheduleHistory[0], entry);
    }

    [Fact]
    public async Task An_interview_and_its_events_are_saved_together()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        var feedBefore = await _container.ReadFeedAsync(null, 1000, Token);
        var checkpoint = feedBefore.Continuation;

        Assert.True(interview.Prepare("notes", true, false, false, builder.Now).IsSuccess);
        Assert.True(interview.Reschedule(builder.Now.AddDays(9), null, RescheduleInitiator.Candidate, builder.Now).IsSuccess);
        var eventIds = interview.PendingEvents.Select(e => e.EventId.ToString("D")).ToList();
        await _store.CreateAsync(interview, Token);
        Assert.Empty(interview.PendingEvents);

        var feed = await _container.ReadFeedAsync(checkpoint, 1000, Token);
        Assert.Equal(["interview", "event", "event"], feed.Items.Select(d => d.Kind));
        Assert.Equal(eventIds, feed.Items.Skip(1).Select(d => d.Id));
        var stored = JsonSerializer.Deserialize<EventDocument>(feed.Items[2].Json, StorageJson.Options)!;
        Assert.Equal(nameof(InterviewRescheduled), stored.Type);
        Assert.Equal(interview.Id, stored.InterviewId);
    }

    [Fact]
    public async Task A_save_on_a_stale_etag_writes_neither_the_change_nor_its_events()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        var etag = (await _store.CreateAsync(interview, Token)).ETag;

        var first = (await _store.GetAsync(interview.UserId, interview.Id, Token))!;
        var second = (await _store.GetAsync(interview.UserId, interview.Id, Token))!;
        Assert.True(first.Interview.Prepare("first", true, true, true, builder.Now).IsSuccess);
        Assert.True((await _store.SaveAsync(first.Interview, etag!, Token)).Saved);
        var checkpoint = (await _container.ReadFeedAsync(null, 1000, Token)).Continuation;

        Assert.True(second.Interview.Cancel(builder.Now).IsSuccess);
        var stale = await _store.SaveAsync(second.Interview, etag!, Token);
        Assert.False(stale.Saved);
        Assert.Equal(-1, stale.LostCompanion);
        Assert.Single(second.Interview.PendingEvents);
        Assert.Empty((await _container.ReadFeedAsync(checkpoint, 1000, Token)).Items);
        Assert.Equal(InterviewStatus.Prepared, (await _store.GetAsync(interview.UserId, interview.Id, Token))!.Interview.Status);
    }

    [Fact]
    public async Task Another_users_id_reads_nothing()
    {
        var interview = new InterviewBuilder().Build();
        await _store.CreateAsync(interview, Token);
        Assert.Null(await _store.GetAsync(Guid.NewGuid(), interview.Id, Token));
    }

    [Fact]
    public async Task The_list_query_uses_an_index_not_a_scan_of_the_table()
    {
        // The plan SQLite chooses for the list's SQL: it must search an index on (pk, kind, …), never scan.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            EXPLAIN QUERY PLAN SELECT id, kind, etag, body, json_extract(body, '$.scheduledAt') FROM documents WHERE pk = 'u' AND kind = 'interview'
            AND json_extract(body, '$.status') = 'Scheduled'
            AND json_extract(body, '$.scheduledAt') >= '2026' AND (json_extract(body, '$.scheduledAt') > '2026' OR id > 'x')
            ORDER BY json_extract(body, '$.scheduledAt'), id LIMIT 51
            """;
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        // …and seek it to the cursor: a range on the order field (<expr>>?), not a walk from the partition's start.
        Assert.Contains(plan, step => step.StartsWith("SEARCH documents USING INDEX ix_interviews_by_status", StringComparison.Ordinal) && step.Contains("<expr>>?", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) || step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Expired_events_are_purged_from_the_file_and_live_documents_stay()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(InterviewBuilder.ScheduledOn);
        using var folder = new TestFolder();
        var container = new SqliteDocumentContainer(folder.Database(), InterviewStore.Indexes, clock);
        var store = InterviewStores.Over(container, new StorageSettings { EventTimeToLive = TimeSpan.FromDays(7) });
        var interview = new InterviewBuilder().Build();
        Assert.True(interview.Prepare("notes", true, true, true, InterviewBuilder.ScheduledOn).IsSuccess);
        await store.CreateAsync(interview, Token);

        Assert.Equal(0, await container.PurgeExpiredAsync(Token));
        clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, await container.PurgeExpiredAsync(Token));
        Assert.NotNull(await store.GetAsync(interview.UserId, interview.Id, Token));
    }

    [Fact]
    public async Task A_list_page_is_each_interviews_list_item_as_last_saved_byte_for_byte()
    {
        var builder = new InterviewBuilder().With("Zoë Ünal", "Ada \"Countess\" Lovelace");
        var interview = builder.Build();
        await _store.CreateAsync(interview, Token);
        var stored = (await _store.GetAsync(interview.UserId, interview.Id, Token))!;
        Assert.True(stored.Interview.Reschedule(builder.Now.AddDays(20), "moved", RescheduleInitiator.Company, builder.Now).IsSuccess);
        Assert.True((await _store.SaveAsync(stored.Interview, stored.ETag, Token)).Saved);

        var page = await _store.ListItemsAsync(interview.UserId, new InterviewQuery(), Token);

        var item = Assert.Single(page.Items);
        Assert.Equal(Encoding.UTF8.GetString(SummaryOf(stored.Interview)), Encoding.UTF8.GetString(item));
        // Stored with the save itself, not rebuilt from the body on the way out.
        var raw = await _container.QuerySummariesAsync(new DocumentQuery(interview.UserId.ToString("D"), InterviewStore.Kind, [], "scheduledAt", 10, null), Token);
        Assert.Equal(item, Assert.Single(raw.Items).Utf8Json);
        var summary = JsonNode.Parse(item)!;
        Assert.Equal(1, summary["rescheduleCount"]!.GetValue<int>());
        Assert.Equal("Rescheduled", summary["status"]!.GetValue<string>());
        Assert.Equal("zoom", summary["videoProvider"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_interview_saved_without_a_summary_is_listed_from_its_body()
    {
        var first = new InterviewBuilder().Build();
        var second = new InterviewBuilder().ScheduledFor(InterviewBuilder.ScheduledOn.AddDays(5)).Build(InterviewStatus.Completed);
        await _store.CreateAsync(first, Token);
        var legacy = _store.WriteOf(second, null) with { Summary = null, SummaryVersion = 0 };
        Assert.True((await _container.WriteAsync(second.UserId.ToString("D"), [legacy], Token)).IsSuccess);

        var page = await _store.ListItemsAsync(first.UserId, new InterviewQuery(), Token);

        Assert.Equal(
            new[] { first, second }.OrderBy(i => i.ScheduledAt).Select(i => Encoding.UTF8.GetString(SummaryOf(i))),
            page.Items.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task A_list_item_written_in_another_version_of_the_record_is_rebuilt_from_the_body()
    {
        var current = new InterviewBuilder().Build();
        var stale = new InterviewBuilder().ScheduledFor(InterviewBuilder.ScheduledOn.AddDays(5)).Build(InterviewStatus.Completed);
        await _store.CreateAsync(current, Token);
        // An item of an older shape: the store must not pass it on.
        var old = _store.WriteOf(stale, null) with { Summary = """{"id":"old","shape":true}""", SummaryVersion = InterviewListItem.SchemaVersion - 1 };
        Assert.True((await _container.WriteAsync(stale.UserId.ToString("D"), [old], Token)).IsSuccess);

        var page = await _store.ListItemsAsync(current.UserId, new InterviewQuery(), Token);

        Assert.Equal(
            new[] { current, stale }.OrderBy(i => i.ScheduledAt).Select(i => Encoding.UTF8.GetString(SummaryOf(i))),
            page.Items.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task A_file_made_before_summaries_were_stored_gets_the_column_and_lists_its_old_rows()
    {
        var interview = new InterviewBuilder().Build();
        Assert.True((await _container.WriteAsync(interview.UserId.ToString("D"), [_store.WriteOf(interview, null) with { Summary = null, SummaryVersion = 0 }], Token)).IsSuccess);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE documents DROP COLUMN summary";
            command.ExecuteNonQuery();
        }

        var reopened = InterviewStores.Over(new SqliteDocumentContainer(DatabasePath, InterviewStore.Indexes, TimeProvider.System), new StorageSettings());
        var later = new InterviewBuilder().ScheduledFor(InterviewBuilder.ScheduledOn.AddDays(5)).Build();
        await reopened.CreateAsync(later, Token);

        var page = await reopened.ListItemsAsync(interview.UserId, new InterviewQuery(), Token);
        Assert.Equal(
            new[] { interview, later }.OrderBy(i => i.ScheduledAt).Select(i => Encoding.UTF8.GetString(SummaryOf(i))),
            page.Items.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task The_interview_indexes_hold_interviews_only_and_an_older_files_full_index_is_rebuilt_partial()
    {
        var interview = new InterviewBuilder().Build();
        Assert.True(interview.Prepare("notes", true, true, true, InterviewBuilder.ScheduledOn).IsSuccess);
        await _store.CreateAsync(interview, Token); // the interview and its event

        Assert.All(InterviewStore.Indexes, index => Assert.EndsWith("WHERE kind = 'interview'", IndexSql($"ix_{index.Name}"), StringComparison.Ordinal));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM documents INDEXED BY ix_interviews_by_time WHERE pk = $pk AND kind = 'interview'", interview.UserId));

        // A file made before: the same index over every kind.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Scalar("DROP INDEX ix_interviews_by_time; CREATE INDEX ix_interviews_by_time ON documents (pk, kind, json_extract(body, '$.scheduledAt'), id)", interview.UserId);
        Assert.DoesNotContain("WHERE", IndexSql("ix_interviews_by_time"), StringComparison.Ordinal);

        var reopened = InterviewStores.Over(new SqliteDocumentContainer(DatabasePath, InterviewStore.Indexes, TimeProvider.System), new StorageSettings());

        Assert.EndsWith("WHERE kind = 'interview'", IndexSql("ix_interviews_by_time"), StringComparison.Ordinal);
        Assert.Equal([interview.Id], (await reopened.ListAsync(interview.UserId, new InterviewQuery(), Token)).Items.Select(i => i.Id));
    }

    private string IndexSql(string name) =>
        (string)Scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $name", null, ("$name", name))!;

    private object? Scalar(string sql, Guid? userId, params (string Name, object Value)[] parameters)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (userId is { } user)
        {
            command.Parameters.AddWithValue("$pk", user.ToString("D"));
        }

        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar();
    }

    private static byte[] SummaryOf(Interview interview) => Encoding.UTF8.GetBytes(InterviewListItem.Serialize(interview));

    private static string Json(InterviewSnapshot snapshot) => JsonSerializer.Serialize(snapshot, StorageJson.Options);

    public void Dispose()
    {
        _folder.Dispose();
    }
}
