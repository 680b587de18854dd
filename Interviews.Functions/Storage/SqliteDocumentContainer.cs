using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Interviews.Functions.Storage;

/// <summary>
/// The embedded backend: documents as JSON in one SQLite file (WAL mode), the partition key and id as
/// the primary key, and expression indexes over the JSON fields that typed stores query. Every write
/// takes a new value of a global sequence, so the rows ordered by <c>seq</c> are the change feed.
/// </summary>
/// <remarks>
/// A file that cannot be used for now — its disk full, its write lock held by another process past
/// <see cref="WriteTimeout"/>, an I/O error — throws <see cref="StoreUnavailableException"/>; so does a
/// writer of this process that waited <see cref="WriteTimeout"/> for its turn. Nothing stays broken
/// behind such a failure: every operation opens or checks out its connection afresh, so the next one
/// succeeds as soon as the cause is gone.
/// </remarks>
public sealed partial class SqliteDocumentContainer : IDocumentContainer, ICheckpointStore, IDisposable
{
    // Kept read connections (see WithReaderAsync): enough for every concurrent request of a busy LocalHost.
    private const int MaxIdleReaders = 16;
    // A stack, not a ConcurrentBag: the bag keeps a list per thread and steals across threads under a lock,
    // which requests that continue on another thread meet on every read. The stack also hands out the
    // connection used last, whose page cache is warmest.
    private readonly System.Collections.Concurrent.ConcurrentStack<ReadConnection> _idleReaders = new();
    private int _idleCount;
    private bool _disposed;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly string _table;

    // SQLite has one writer at a time. A second BEGIN IMMEDIATE gets SQLITE_BUSY, and Microsoft.Data.Sqlite
    // then retries after a blocking sleep, however soon the lock frees: writers of this process queue here
    // instead, without holding a thread, for at most WriteTimeout.
    // One gate per database file: the containers (tables) of a file share its single writer.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeGate;

    // SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages, holding the
    // write gate and every writer queued behind it. Writers turn it off on their connection; a passive
    // checkpoint runs beside them every this many documents instead.
    private const int DocumentsPerCheckpoint = 64;

    /// <summary>
    /// The WAL, in 4 KiB pages, past which a checkpoint empties it (65,536: 256 MiB), holding the writers
    /// for that moment: the WAL stays bounded, and the moment comes rarely.
    /// </summary>
    internal int MaxWalFrames { get; init; } = 65_536;
    private int _documentsSinceCheckpoint;
    private int _checkpointRunning;

    /// <summary>How often expired documents are deleted at the most.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>The default of <see cref="WriteTimeout"/>.</summary>
    public static readonly TimeSpan DefaultWriteTimeout = TimeSpan.FromSeconds(5);

    /// <param name="table">The table of this container; several containers can share one file (and its feed sequence).</param>
    /// <param name="writeTimeout">How long a write waits for its turn and for the file's lock (default <see cref="DefaultWriteTimeout"/>).</param>
    public SqliteDocumentContainer(string path, IEnumerable<IndexDefinition> indexes, TimeProvider time, string table = "documents", TimeSpan? writeTimeout = null)
    {
        _time = time;
        WriteTimeout = writeTimeout ?? DefaultWriteTimeout;
        _table = Identifier(table);
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Seconds a statement retries while the file is locked by another connection or process.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(WriteTimeout.TotalSeconds)),
        }.ToString();
        Path = fullPath;
        _writeGate = WriteGates.GetOrAdd(fullPath, _ => new SemaphoreSlim(1, 1));
        CreateSchema(indexes);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The longest a write waits for the writers before it, and then for the file's lock, before the store counts as unavailable.</summary>
    public TimeSpan WriteTimeout { get; }

    public Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) =>
        WithReaderAsync(async connection =>
        {
            var command = connection.Command($"SELECT kind, etag, body FROM {_table} WHERE pk = $pk AND id = $id AND (expires_at IS NULL OR expires_at > $now)");
            command.Parameters.AddWithValue("$pk", partitionKey);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeSeconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new StoredDocument(partitionKey, id, reader.GetString(0), reader.GetString(1), reader.GetString(2))
                : null;
        }, cancellationToken);

    public async Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        var outcome = await WithWriterTurnAsync(() => WriteGatedAsync(partitionKey, writes, cancellationToken), cancellationToken);
        CheckpointWhenDue(writes.Count);
        return outcome;
    }

    /// <summary>
    /// Runs a write when it is this process's writer's turn: waits at most <see cref="WriteTimeout"/> for
    /// the writers before it (so that a stalled file cannot queue writes without bound) and maps a file
    /// that cannot take the write to <see cref="StoreUnavailableException"/>.
    /// </summary>
    private async Task<T> WithWriterTurnAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        if (!await _writeGate.WaitAsync(WriteTimeout, cancellationToken))
        {
            throw new StoreUnavailableException(
                $"The embedded store's writes waited {WriteTimeout.TotalSeconds:0.#} s for their turn behind a slow or blocked write.", RetryAfterBusy);
        }

        try
        {
            return await write();
        }
        catch (Exception e) when (Unavailable(e) is not null)
        {
            throw Unavailable(e)!;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a writer connection of this file in the writers' turn, with the
    /// same bounded wait and failure policy as the documents' writes: other tables of the file (the
    /// embedded work queue) share its single writer.
    /// </summary>
    internal Task<T> WriteWithAsync<T>(Func<SqliteConnection, Task<T>> write, CancellationToken cancellationToken) =>
        WithWriterTurnAsync(async () =>
        {
            await using var connection = await OpenWriterAsync(cancellationToken);
            return await write(connection);
        }, cancellationToken);

    /// <summary>Runs <paramref name="read"/> on a connection of its own, mapping an unusable file to <see cref="StoreUnavailableException"/>.</summary>
    internal Task<T> ReadWithAsync<T>(Func<SqliteConnection, Task<T>> read, CancellationToken cancellationToken) =>
        GuardedAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await read(connection);
        });

    /// <summary>How long a client is told to wait after the file was locked or busy.</summary>
    private static readonly TimeSpan RetryAfterBusy = TimeSpan.FromSeconds(2);

    /// <summary>How long a client is told to wait after the file could not be written (a full disk, an I/O error): the cause needs someone.</summary>
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The failures that mean the file cannot be used for now, as <see cref="StoreUnavailableException"/>:
    /// locked or busy past the wait (SQLITE_BUSY, SQLITE_LOCKED), the disk full (SQLITE_FULL), an I/O or
    /// open error, a read-only or out-of-memory condition, and I/O exceptions. Null for anything else (a
    /// bug, a corrupt file), which stays what it is.
    /// </summary>
    private static StoreUnavailableException? Unavailable(Exception exception) => exception switch
    {
        StoreUnavailableException unavailable => unavailable,
        SqliteException e => (e.SqliteErrorCode & 0xFF) switch
        {
            SqliteBusy or SqliteLocked => new StoreUnavailableException("The embedded store's file is locked by another writer.", RetryAfterBusy, e),
            SqliteFull => new StoreUnavailableException("The embedded store's disk is full.", RetryAfterFailure, e),
            SqliteIoError or SqliteCantOpen or SqliteReadOnly or SqliteNoMemory => new StoreUnavailableException($"The embedded store's file cannot be used ({e.SqliteErrorCode}).", RetryAfterFailure, e),
            _ => null,
        },
        IOException e => new StoreUnavailableException("The embedded store's file cannot be used (an I/O error).", RetryAfterFailure, e),
        _ => null,
    };

    // SQLite's primary result codes (https://sqlite.org/rescode.html).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNoMemory = 7;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    /// <summary>Runs an operation outside the kept readers and the writers' turn, mapping an unusable file to <see cref="StoreUnavailableException"/>.</summary>
    private static async Task<T> GuardedAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception e) when (Unavailable(e) is not null)
        {
            throw Unavailable(e)!;
        }
    }

    private async Task<WriteOutcome> WriteGatedAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        // BEGIN IMMEDIATE: take the write lock first, so that two writers never both read an ETag and
        // then race to upgrade their locks.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var etags = new string?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            // A delete also finds an expired row: this file keeps expired rows until they are deleted.
            var current = await CurrentETagAsync(connection, transaction, partitionKey, write.Id, write.Kind == WriteKind.Delete, cancellationToken);
            var failure = write.Kind switch
            {
                WriteKind.Create when current is not null => WriteFailure.AlreadyExists,
                WriteKind.Replace or WriteKind.Delete when current is null => WriteFailure.NotFound,
                WriteKind.Replace when current != write.IfMatch => WriteFailure.PreconditionFailed,
                WriteKind.Delete when write.IfMatch is not null && current != write.IfMatch => WriteFailure.PreconditionFailed,
                _ => (WriteFailure?)null,
            };
            if (failure is not null)
            {
                await transaction.RollbackAsync(cancellationToken);
                return WriteOutcome.Failed(failure.Value, i);
            }

            etags[i] = write.Kind == WriteKind.Delete
                ? await DeleteAsync(connection, transaction, partitionKey, write.Id, cancellationToken)
                : await UpsertAsync(connection, transaction, partitionKey, write, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new WriteOutcome(etags, null);
    }

    public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) =>
        WithReaderAsync(async connection =>
        {
            var command = QueryCommand(connection, query, "id, kind, etag, body", withOrderValue: true);
            var items = new List<StoredDocument>(query.Limit + 1);
            var orderValues = new List<string>(query.Limit + 1);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new StoredDocument(query.PartitionKey, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
                orderValues.Add(reader.IsDBNull(4) ? "" : reader.GetString(4));
            }

            return items.Count <= query.Limit
                ? new DocumentPage(items, null)
                : new DocumentPage(items[..query.Limit], new DocumentCursor(orderValues[query.Limit - 1], items[query.Limit - 1].Id));
        }, cancellationToken);

    public Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken) =>
        WithReaderAsync(async connection =>
        {
            // One read transaction (deferred: BEGIN without IMMEDIATE takes no write lock), so that the
            // cursor's order value is read from the same snapshot as the page.
            await using var transaction = connection.Connection.BeginTransaction(deferred: true);
            var items = new List<DocumentSummary>(query.Limit + 1);
            var command = QueryCommand(connection, query, "id, summary, summary_version", withOrderValue: false);
            command.Transaction = transaction;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    // A TEXT column read as bytes is SQLite's own UTF-8: no decoding into a string and back.
                    items.Add(new DocumentSummary(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt32(2)));
                }
            }

            if (items.Count <= query.Limit)
            {
                return new SummaryPage(items, null);
            }

            // The order value of the page's last document only, for the cursor: selecting it with every
            // row parsed every body once more (a fifth of a page's read) for a value only the cursor needs.
            var last = items[query.Limit - 1].Id;
            var orderCommand = connection.Command($"SELECT {Field(query.OrderBy)} FROM {_table} WHERE pk = $pk AND id = $id");
            orderCommand.Transaction = transaction;
            orderCommand.Parameters.AddWithValue("$pk", query.PartitionKey);
            orderCommand.Parameters.AddWithValue("$id", last);
            var orderValue = await orderCommand.ExecuteScalarAsync(cancellationToken) as string ?? "";
            items.RemoveAt(query.Limit);
            return new SummaryPage(items, new DocumentCursor(orderValue, last));
        }, cancellationToken);

    /// <summary>The page's SQL: <paramref name="columns"/>, then the order value if wanted; one row more than the limit, to tell whether a next page exists.</summary>
    private SqliteCommand QueryCommand(ReadConnection connection, DocumentQuery query, string columns, bool withOrderValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        var order = Field(query.OrderBy);
        // The kind as a literal, not a parameter: only then can SQLite use the kind's partial indexes.
        var sql = new StringBuilder($"SELECT {columns}{(withOrderValue ? ", " + order : "")} FROM {_table} WHERE pk = $pk AND kind = {KindLiteral(query.Kind)} AND (expires_at IS NULL OR expires_at > $now)");
        var parameters = new List<(string Name, object Value)>
        {
            ("$pk", query.PartitionKey),
            ("$now", _time.GetUtcNow().ToUnixTimeSeconds()),
        };
        for (var f = 0; f < query.Filters.Count; f++)
        {
            var filter = query.Filters[f];
            var field = Field(filter.Field);
            var names = filter.Values.Select((value, v) =>
            {
                var name = $"$f{f}_{v}";
                parameters.Add((name, value));
                return name;
            }).ToList();
            sql.Append(filter.Operator switch
            {
                FilterOperator.Equal => $" AND {field} = {names[0]}",
                FilterOperator.GreaterOrEqual => $" AND {field} >= {names[0]}",
                FilterOperator.LessThan => $" AND {field} < {names[0]}",
                FilterOperator.In => $" AND {field} IN ({string.Join(", ", names)})",
                _ => throw new ArgumentOutOfRangeException(nameof(query), filter.Operator, "Unknown filter operator."),
            });
        }

        if (query.After is { } after)
        {
            // After (order, id): a range on the order field, which SQLite seeks in the expression index,
            // then the tie-break on id. A row value, (order, id) > (…), is not used to seek an index on an
            // expression: SQLite walked the partition from its start, so page k cost O(k).
            sql.Append($" AND {order} >= $afterOrder AND ({order} > $afterOrder OR id > $afterId)");
            parameters.Add(("$afterOrder", after.OrderValue));
            parameters.Add(("$afterId", after.Id));
        }

        sql.Append($" ORDER BY {order}, id LIMIT $limit");
        parameters.Add(("$limit", query.Limit + 1));
        var command = connection.Command(sql.ToString());
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>
    /// Runs a read on an open connection that keeps its prepared statements: preparing a list's SQL
    /// (SQLite matches it against the expression indexes) is a large part of a page's read, and
    /// Microsoft.Data.Sqlite's pool keeps connections but not statements. A connection whose read failed
    /// is closed, not kept; a file that cannot be read now is <see cref="StoreUnavailableException"/>.
    /// </summary>
    private async Task<T> WithReaderAsync<T>(Func<ReadConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        ReadConnection connection;
        if (_idleReaders.TryPop(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            connection = idle;
        }
        else
        {
            connection = await OpenReaderAsync(cancellationToken);
        }

        T result;
        try
        {
            result = await read(connection);
        }
        catch (Exception e)
        {
            connection.Dispose();
            if (Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }

            throw;
        }

        if (!Volatile.Read(ref _disposed))
        {
            if (Interlocked.Increment(ref _idleCount) <= MaxIdleReaders)
            {
                _idleReaders.Push(connection);
                return result;
            }

            Interlocked.Decrement(ref _idleCount);
        }

        connection.Dispose();
        return result;
    }

    /// <summary>
    /// A kept read connection. While a checkpoint empties the WAL a reader can meet SQLITE_BUSY for a
    /// moment; with a busy timeout SQLite retries it at once, where Microsoft.Data.Sqlite's own retry sleeps.
    /// </summary>
    private async Task<ReadConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 1000";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new ReadConnection(connection);
    }

    /// <summary>Closes the kept read connections; the host disposes the container when it stops.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idleReaders.TryPop(out var connection))
        {
            connection.Dispose();
        }
    }

    /// <summary>An open connection and its commands by SQL text, each prepared on first use and kept.</summary>
    private sealed class ReadConnection(SqliteConnection connection) : IDisposable
    {
        // The texts are a few dozen (one per combination of filters); past this, start over.
        private const int MaxCommands = 64;
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public SqliteConnection Connection => connection;

        /// <summary>The command for <paramref name="sql"/>, without parameters or transaction.</summary>
        public SqliteCommand Command(string sql)
        {
            if (_commands.TryGetValue(sql, out var command))
            {
                command.Parameters.Clear();
                command.Transaction = null;
                return command;
            }

            if (_commands.Count == MaxCommands)
            {
                DisposeCommands();
            }

            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
            return command;
        }

        public void Dispose()
        {
            DisposeCommands();
            connection.Dispose();
        }

        private void DisposeCommands()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            _commands.Clear();
        }
    }

    public Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return GuardedAsync(() => ReadPartitionPageAsync(partitionKey, afterId, limit, cancellationToken));
    }

    private async Task<DocumentPage> ReadPartitionPageAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The primary key (pk, id) serves this range without a sort. Expired rows are listed too: this
        // file keeps them until they are deleted, and an erasure must delete them.
        command.CommandText = $"SELECT id, kind, etag, body FROM {_table} WHERE pk = $pk AND id > $after ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$after", afterId ?? "");
        command.Parameters.AddWithValue("$limit", limit + 1);
        var items = new List<StoredDocument>(limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new StoredDocument(partitionKey, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        if (items.Count <= limit)
        {
            return new DocumentPage(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new DocumentPage(items, new DocumentCursor(items[^1].Id, items[^1].Id));
    }

    public Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken)
    {
        long after = 0;
        if (continuation is not null && !long.TryParse(continuation, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            throw new ArgumentException("Not a continuation of this feed.", nameof(continuation));
        }

        return GuardedAsync(() => ReadFeedPageAsync(continuation, after, maxItems, cancellationToken));
    }

    private async Task<FeedPage> ReadFeedPageAsync(string? continuation, long after, int maxItems, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT pk, id, kind, etag, body, seq FROM {_table} WHERE seq > $after ORDER BY seq LIMIT $max";
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$max", maxItems);
        var items = new List<StoredDocument>();
        var last = after;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new StoredDocument(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            last = reader.GetInt64(5);
        }

        return new FeedPage(items, items.Count == 0 ? continuation : last.ToString(CultureInfo.InvariantCulture));
    }

    Task<string?> ICheckpointStore.ReadAsync(string name, CancellationToken cancellationToken) =>
        GuardedAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT continuation FROM checkpoints WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        });

    async Task ICheckpointStore.WriteAsync(string name, string continuation, CancellationToken cancellationToken)
    {
        await WriteCheckpointAsync(name, continuation, cancellationToken);
        CheckpointWhenDue(1);
    }

    /// <summary>Writes the row <c>health-probe</c> of the checkpoints table: a real commit, through the writers' turn.</summary>
    public Task ProbeAsync(CancellationToken cancellationToken) =>
        WriteCheckpointAsync(ProbeName, _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), cancellationToken);

    private const string ProbeName = "health-probe";

    private Task<int> WriteCheckpointAsync(string name, string continuation, CancellationToken cancellationToken) =>
        WithWriterTurnAsync(async () =>
        {
            await using var connection = await OpenWriterAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO checkpoints (name, continuation) VALUES ($name, $continuation) ON CONFLICT (name) DO UPDATE SET continuation = excluded.continuation";
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$continuation", continuation);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// A connection for a write: its commits never checkpoint (see <see cref="CheckpointWhenDue"/>), and
    /// do not wait for the disk. <c>synchronous</c> is a setting of each connection, not of the file, so
    /// every writer sets it. With NORMAL in WAL mode a commit survives a crash of the process; a power cut
    /// may lose the last commits, never the file's consistency — the durability an embedded development
    /// and test store needs (Cosmos DB is the production store).
    /// </summary>
    internal async Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // journal_size_limit: when the WAL does start again from its beginning, the file is cut back to 64 MiB.
        command.CommandText = "PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Deletes documents whose time to live has passed (domain events, idempotency records): Cosmos DB
    /// does this by itself; here it runs beside the writers at most every <see cref="PurgeInterval"/>.
    /// Reads already ignore expired documents, so this only keeps the file from growing.
    /// </summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        _lastPurge = _time.GetUtcNow();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenWriterAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM {_table} WHERE expires_at IS NOT NULL AND expires_at <= $now";
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeSeconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Every <see cref="DocumentsPerCheckpoint"/> documents written, copies the WAL into the database file beside the writers, one checkpoint at a time.</summary>
    private void CheckpointWhenDue(int documents)
    {
        if (Interlocked.Add(ref _documentsSinceCheckpoint, documents) < DocumentsPerCheckpoint
            || Interlocked.CompareExchange(ref _checkpointRunning, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _documentsSinceCheckpoint, 0);
        _ = Task.Run(async () =>
        {
            try
            {
                await using var connection = await OpenAsync(CancellationToken.None);
                await using var command = connection.CreateCommand();
                // PASSIVE: copies what it can without waiting for readers or writers; answers (busy, frames
                // in the WAL, frames copied).
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                long walFrames;
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    walFrames = await reader.ReadAsync() ? reader.GetInt64(1) : 0;
                }

                if (walFrames > MaxWalFrames)
                {
                    // A passive checkpoint syncs the file only when it reaches the WAL's end, which steady
                    // writes never let it: the pages it copied wait in the OS cache, and the TRUNCATE's
                    // sync would write them all while the writers are held. Synced here, beside the
                    // writers, and copied once more, little is left for the held moment.
                    SyncDatabaseFile();
                    await command.ExecuteNonQueryAsync();
                    await TruncateWalAsync(connection);
                }

                if (_time.GetUtcNow() - _lastPurge >= PurgeInterval)
                {
                    await PurgeExpiredAsync(CancellationToken.None);
                }
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                // A missed checkpoint (or purge) only lets the WAL (or the table) grow until the next one.
            }
            finally
            {
                Volatile.Write(ref _checkpointRunning, 0);
            }
        });
    }

    /// <summary>fsync of the database file (any descriptor of a file flushes its dirty pages on Linux and Windows).</summary>
    private void SyncDatabaseFile()
    {
        // Opened for writing, though nothing is written: .NET syncs only a writable stream.
        using var file = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        file.Flush(flushToDisk: true);
    }

    /// <summary>
    /// The WAL starts again from its beginning only when a writer finds it wholly copied, which a steady
    /// stream of writes never lets happen, and a WAL file never shrinks. Past <see cref="MaxWalFrames"/>,
    /// the writers are held at the gate while a TRUNCATE checkpoint copies the rest and empties the file;
    /// if a reader still needs old frames it gives up soon and the next checkpoint tries again.
    /// </summary>
    private async Task TruncateWalAsync(SqliteConnection connection)
    {
        await _writeGate.WaitAsync();
        try
        {
            await using var command = connection.CreateCommand();
            // Readers hold the WAL for a fraction of a millisecond each: SQLite waits (its own busy
            // handler, short sleeps) until those reading old frames are done, new ones read the file.
            command.CommandText = "PRAGMA busy_timeout = 250; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout = 0";
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<string?> CurrentETagAsync(SqliteConnection connection, SqliteTransaction transaction, string partitionKey, string id, bool includeExpired, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // An expired document is gone, as in Cosmos DB: a create may take its id, a replace finds nothing.
        command.CommandText = $"SELECT etag FROM {_table} WHERE pk = $pk AND id = $id AND ($includeExpired OR expires_at IS NULL OR expires_at > $now)";
        command.Parameters.AddWithValue("$includeExpired", includeExpired);
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeSeconds());
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private async Task<string> UpsertAsync(SqliteConnection connection, SqliteTransaction transaction, string partitionKey, DocumentWrite write, CancellationToken cancellationToken)
    {
        var etag = NewETag();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            UPDATE sequence SET value = value + 1 WHERE name = 'feed';
            INSERT INTO {_table} (pk, id, kind, etag, body, summary, summary_version, seq, expires_at)
            VALUES ($pk, $id, $kind, $etag, $body, $summary, $summaryVersion, (SELECT value FROM sequence WHERE name = 'feed'), $expires)
            ON CONFLICT (pk, id) DO UPDATE SET kind = excluded.kind, etag = excluded.etag, body = excluded.body, summary = excluded.summary, summary_version = excluded.summary_version, seq = excluded.seq, expires_at = excluded.expires_at;
            """;
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$id", write.Id);
        command.Parameters.AddWithValue("$kind", write.DocumentKind);
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$body", write.Json ?? throw new ArgumentException("A create or replace needs a body.", nameof(write)));
        command.Parameters.AddWithValue("$summary", (object?)write.Summary ?? DBNull.Value);
        command.Parameters.AddWithValue("$summaryVersion", write.SummaryVersion);
        command.Parameters.AddWithValue("$expires", write.TimeToLive is { } ttl ? (_time.GetUtcNow() + ttl).ToUnixTimeSeconds() : DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return etag;
    }

    private async Task<string?> DeleteAsync(SqliteConnection connection, SqliteTransaction transaction, string partitionKey, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"DELETE FROM {_table} WHERE pk = $pk AND id = $id";
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return null;
    }

    private void CreateSchema(IEnumerable<IndexDefinition> indexes)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // A rowid table, not WITHOUT ROWID: documents are about 1 KB, and in a WITHOUT ROWID table rows that
        // large fill a page with a few cells and spill to overflow pages, so that each index-to-row step of
        // a list query would be several page reads (SQLite advises WITHOUT ROWID only for small rows).
        var sql = new StringBuilder($"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS {_table} (
                pk TEXT NOT NULL,
                id TEXT NOT NULL,
                kind TEXT NOT NULL,
                etag TEXT NOT NULL,
                body TEXT NOT NULL,
                summary TEXT NULL,
                summary_version INTEGER NOT NULL DEFAULT 0,
                seq INTEGER NOT NULL,
                expires_at INTEGER NULL,
                PRIMARY KEY (pk, id)
            );
            CREATE UNIQUE INDEX IF NOT EXISTS ix_{_table}_seq ON {_table} (seq);
            CREATE INDEX IF NOT EXISTS ix_{_table}_expires ON {_table} (expires_at) WHERE expires_at IS NOT NULL;
            CREATE TABLE IF NOT EXISTS sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT OR IGNORE INTO sequence (name, value) VALUES ('feed', 0);
            CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, continuation TEXT NOT NULL);

            """);
        command.CommandText = sql.ToString();
        command.ExecuteNonQuery();
        AddSummaryColumns(connection);
        foreach (var index in indexes)
        {
            CreateIndex(connection, index);
        }
    }

    /// <summary>
    /// A partial index, of its kind's documents only: an event, a reminder or a counter written into the
    /// table no longer adds an entry to each of the interviews' four indexes (a third of the pages a
    /// command wrote). An index of an older file with another definition is rebuilt once.
    /// </summary>
    private void CreateIndex(SqliteConnection connection, IndexDefinition index)
    {
        var name = $"ix_{Identifier(index.Name)}";
        var columns = index.EqualityFields.Select(Field).Append(Field(index.OrderField)).Append("id");
        var definition = $"CREATE INDEX {name} ON {_table} (pk, {string.Join(", ", columns)}) WHERE kind = {KindLiteral(index.Kind)}";
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        var existing = command.ExecuteScalar() as string;
        if (existing == definition)
        {
            return;
        }

        command.Parameters.Clear();
        command.CommandText = (existing is null ? "" : $"DROP INDEX {name};\n") + definition;
        command.ExecuteNonQuery();
    }

    /// <summary>A document kind as an SQL literal (kinds come from code: letters, digits and - _ : . only), so that the planner can match the partial indexes.</summary>
    private static string KindLiteral(string kind) =>
        KindPattern().IsMatch(kind) ? $"'{kind}'" : throw new ArgumentException($"'{kind}' is not a plain document kind.", nameof(kind));

    [GeneratedRegex("^[A-Za-z0-9_:.-]{1,64}$")]
    private static partial Regex KindPattern();

    /// <summary>Files made before summaries (or their versions) were stored get the columns; their rows list from the body until rewritten.</summary>
    private void AddSummaryColumns(SqliteConnection connection)
    {
        AddColumn(connection, "summary", "TEXT NULL");
        AddColumn(connection, "summary_version", "INTEGER NOT NULL DEFAULT 0");
    }

    private void AddColumn(SqliteConnection connection, string name, string definition)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{_table}') WHERE name = '{name}'";
        if ((long)command.ExecuteScalar()! > 0)
        {
            return;
        }

        command.CommandText = $"ALTER TABLE {_table} ADD COLUMN {name} {definition}";
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase))
        {
            // Another process opening the same file added it first.
        }
    }

    private static string NewETag() => $"\"{Guid.NewGuid():N}\"";

    /// <summary>The SQL expression of a body field; the indexes use exactly the same text, so the planner matches them.</summary>
    private static string Field(string name) => $"json_extract(body, '$.{Identifier(name)}')";

    private static string Identifier(string name) =>
        IdentifierPattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a plain field name.", nameof(name));

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex IdentifierPattern();
}
