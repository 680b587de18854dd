using System.Collections.Concurrent;
using Interviews.Functions.Storage;
using Microsoft.Data.Sqlite;

namespace Interviews.Functions.Queues;

/// <summary>A message taken from the embedded queue: leased to its receiver until <see cref="Receipt"/> is completed, released or its lease runs out.</summary>
public sealed record ReceivedMessage(string Queue, long Id, string Body, int DequeueCount, DateTimeOffset InsertedAt, string Receipt);

/// <summary>
/// A work queue in the embedded store's SQLite file (table <c>work_queue</c>), with the semantics of an
/// Azure Storage Queue that the queue triggers rely on: a received message is invisible to other
/// receivers for its lease, its dequeue count grows with every receipt, a message whose receiver stops
/// (a crash) comes back when the lease runs out, and the runner moves a message that failed too often to
/// the queue's poison queue. Writes take the file's writers' turn like every other write of the store.
/// Senders in this process wake the receivers of the queue at once, so an idle queue costs no polling.
/// </summary>
public sealed class EmbeddedWorkQueue : IWorkQueue
{
    private readonly SqliteDocumentContainer _file;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _signals = new(StringComparer.Ordinal);

    public EmbeddedWorkQueue(SqliteDocumentContainer file, TimeProvider time)
    {
        _file = file;
        _time = time;
        _file.WriteWithAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS work_queue (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    queue TEXT NOT NULL,
                    body TEXT NOT NULL,
                    visible_at INTEGER NOT NULL,
                    dequeue_count INTEGER NOT NULL DEFAULT 0,
                    inserted_at INTEGER NOT NULL,
                    receipt TEXT);
                CREATE INDEX IF NOT EXISTS work_queue_visible ON work_queue (queue, visible_at, id);
                """;
            return await command.ExecuteNonQueryAsync();
        }, CancellationToken.None).GetAwaiter().GetResult();
    }

    public async Task SendAsync(string queue, IReadOnlyList<string> messages, TimeSpan visibleAfter, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        await _file.WriteWithAsync(async connection =>
        {
            await using var transaction = connection.BeginTransaction();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO work_queue (queue, body, visible_at, inserted_at) VALUES ($queue, $body, $visible, $inserted)";
            command.Parameters.AddWithValue("$queue", queue);
            var body = command.Parameters.Add("$body", SqliteType.Text);
            command.Parameters.AddWithValue("$visible", (now + visibleAfter).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$inserted", now.ToUnixTimeMilliseconds());
            foreach (var message in messages)
            {
                body.Value = message;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return messages.Count;
        }, cancellationToken);
        if (visibleAfter <= TimeSpan.Zero)
        {
            Signal(queue).Release();
        }
    }

    /// <summary>Leases up to <paramref name="max"/> visible messages for <paramref name="lease"/>, oldest first, each dequeue count one higher.</summary>
    public Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queue, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var receipt = Guid.NewGuid().ToString("N");
        return _file.WriteWithAsync<IReadOnlyList<ReceivedMessage>>(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE work_queue SET visible_at = $until, dequeue_count = dequeue_count + 1, receipt = $receipt
                WHERE id IN (SELECT id FROM work_queue WHERE queue = $queue AND visible_at <= $now ORDER BY visible_at, id LIMIT $max)
                RETURNING id, body, dequeue_count, inserted_at
                """;
            command.Parameters.AddWithValue("$until", (now + lease).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$receipt", receipt);
            command.Parameters.AddWithValue("$queue", queue);
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$max", max);
            var received = new List<ReceivedMessage>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                received.Add(new ReceivedMessage(queue, reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), receipt));
            }

            return received;
        }, cancellationToken);
    }

    /// <summary>Deletes a handled message; false when its lease had run out and another receiver holds it now.</summary>
    public Task<bool> CompleteAsync(ReceivedMessage message, CancellationToken cancellationToken) =>
        ChangeAsync("DELETE FROM work_queue WHERE id = $id AND receipt = $receipt", message, null, cancellationToken);

    /// <summary>Gives a message back after a failure: visible again after <paramref name="after"/>, its dequeue count kept.</summary>
    public Task<bool> ReleaseAsync(ReceivedMessage message, TimeSpan after, CancellationToken cancellationToken) =>
        ChangeAsync("UPDATE work_queue SET visible_at = $at, receipt = NULL WHERE id = $id AND receipt = $receipt", message, _time.GetUtcNow() + after, cancellationToken);

    /// <summary>Keeps a message that is still being handled invisible for another <paramref name="lease"/>.</summary>
    public Task<bool> RenewAsync(ReceivedMessage message, TimeSpan lease, CancellationToken cancellationToken) =>
        ChangeAsync("UPDATE work_queue SET visible_at = $at WHERE id = $id AND receipt = $receipt", message, _time.GetUtcNow() + lease, cancellationToken);

    /// <summary>Moves a message that failed too often to the queue's poison queue (<c>{queue}-poison</c>), in one transaction.</summary>
    public Task<bool> MoveToPoisonAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _file.WriteWithAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE work_queue SET queue = $poison, visible_at = $now, dequeue_count = 0, receipt = NULL
                WHERE id = $id AND receipt = $receipt
                """;
            command.Parameters.AddWithValue("$poison", message.Queue + WorkQueues.PoisonSuffix);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$id", message.Id);
            command.Parameters.AddWithValue("$receipt", message.Receipt);
            var moved = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (moved)
            {
                Signal(message.Queue + WorkQueues.PoisonSuffix).Release();
            }

            return moved;
        }, cancellationToken);
    }

    /// <summary>How many messages the queue holds, visible or not (operators and tests).</summary>
    public Task<int> CountAsync(string queue, CancellationToken cancellationToken) =>
        _file.ReadWithAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM work_queue WHERE queue = $queue";
            command.Parameters.AddWithValue("$queue", queue);
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
        }, cancellationToken);

    /// <summary>When the next message of the queue becomes visible; null when the queue is empty.</summary>
    public Task<DateTimeOffset?> NextVisibleAsync(string queue, CancellationToken cancellationToken) =>
        _file.ReadWithAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT MIN(visible_at) FROM work_queue WHERE queue = $queue";
            command.Parameters.AddWithValue("$queue", queue);
            return await command.ExecuteScalarAsync(cancellationToken) is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : (DateTimeOffset?)null;
        }, cancellationToken);

    /// <summary>Waits until a sender of this process adds a visible message to the queue, or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForMessagesAsync(string queue, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = Signal(queue);
        if (await signal.WaitAsync(timeout, cancellationToken))
        {
            // One wake-up for however many sends came meanwhile.
            while (signal.CurrentCount > 0 && signal.Wait(0))
            {
            }
        }
    }

    private SemaphoreSlim Signal(string queue) => _signals.GetOrAdd(queue, _ => new SemaphoreSlim(0, int.MaxValue));

    private Task<bool> ChangeAsync(string sql, ReceivedMessage message, DateTimeOffset? at, CancellationToken cancellationToken) =>
        _file.WriteWithAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$id", message.Id);
            command.Parameters.AddWithValue("$receipt", message.Receipt);
            if (at is { } value)
            {
                command.Parameters.AddWithValue("$at", value.ToUnixTimeMilliseconds());
            }

            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
}
