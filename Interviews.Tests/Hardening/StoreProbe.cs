using Microsoft.Data.Sqlite;

namespace Interviews.Tests.Hardening;

/// <summary>
/// Reads a LocalHost's SQLite file beside it (WAL lets a reader in while it writes) to tell whether a
/// user's partition changed: every create or replace takes a new value of the file's global sequence
/// and every delete changes the count, so (count, highest sequence) moves with any write.
/// </summary>
public sealed class StoreProbe(string databasePath)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = true,
    }.ToString();

    public async Task<(long Count, long LastSequence, long ETagBytes)> DigestAsync(Guid userId)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(max(seq), 0), coalesce(sum(length(etag)), 0) FROM documents WHERE pk = $pk";
        command.Parameters.AddWithValue("$pk", userId.ToString("D"));
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Every document body of the partition, in id order: to compare a user's whole data before and after.</summary>
    public async Task<string> DocumentsAsync(Guid userId)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, etag, body FROM documents WHERE pk = $pk ORDER BY id";
        command.Parameters.AddWithValue("$pk", userId.ToString("D"));
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var all = new System.Text.StringBuilder();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            all.Append(reader.GetString(0)).Append(' ').Append(reader.GetString(1)).Append(' ').AppendLine(reader.GetString(2));
        }

        return all.ToString();
    }

    /// <summary>
    /// Whether every interview of the partition has exactly as many event documents as changes
    /// (its <c>version</c>): a change and its events are written together or not at all.
    /// </summary>
    public async Task<IReadOnlyList<string>> HalfAppliedChangesAsync(Guid userId)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, body FROM documents WHERE pk = $pk";
        command.Parameters.AddWithValue("$pk", userId.ToString("D"));
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var versions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var events = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var body = System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(1))!;
            switch (reader.GetString(0))
            {
                case "interview":
                    versions[body["id"]!.GetValue<string>()] = body["version"]!.GetValue<int>();
                    break;
                case "event" when body["interviewId"] is { } interviewId:
                    var id = interviewId.GetValue<string>();
                    events[id] = events.GetValueOrDefault(id) + 1;
                    break;
            }
        }

        return [.. versions.Where(v => events.GetValueOrDefault(v.Key) != v.Value).Select(v => $"{v.Key}: version {v.Value}, {events.GetValueOrDefault(v.Key)} events")];
    }
}
