using System.Text.Json;
using Interviews.Functions.Calendar;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Microsoft.Data.Sqlite;

namespace Interviews.Benchmarks.Load;

/// <summary>
/// The two things the harness reads from the service's SQLite file, read-only, because the API does not
/// show them: whether an interview's event is unlinked from a calendar (after the user deleted it there),
/// and how many reminders are planned. Documents are read with the service's own types and storage JSON
/// (<see cref="CalendarLink"/>, <see cref="StorageJson"/>), so the probe follows the code it measures.
/// A probe that cannot read (the file's layout changed) answers null, and the figure is reported as not measured.
/// </summary>
internal sealed class StoreProbe(string databasePath)
{
    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();

    /// <summary>The link state of the interview's event in the service's provider (<c>google</c>/<c>outlook</c>), or null.</summary>
    public LinkState? LinkStateOf(Guid userId, Guid interviewId, string serviceProvider)
    {
        try
        {
            using var connection = new SqliteConnection(ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT body FROM documents WHERE pk = $pk AND id = $id";
            command.Parameters.AddWithValue("$pk", CalendarStore.Partition(userId));
            command.Parameters.AddWithValue("$id", $"{CalendarStore.LinkKind}:{interviewId:D}");
            if (command.ExecuteScalar() is not string body)
            {
                return null;
            }

            var link = JsonSerializer.Deserialize<CalendarLink>(body, StorageJson.Options);
            return link?.Events.GetValueOrDefault(serviceProvider)?.State;
        }
        catch (Exception e) when (e is SqliteException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Reminder documents in every table of the file that has a kind column, or null.</summary>
    public long? PlannedReminders()
    {
        try
        {
            using var connection = new SqliteConnection(ConnectionString);
            connection.Open();
            var tables = new List<string>();
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'kind')";
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            long count = 0;
            foreach (var table in tables)
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WHERE kind = $kind";
                command.Parameters.AddWithValue("$kind", ReminderStore.Kind);
                count += (long)command.ExecuteScalar()!;
            }

            return count;
        }
        catch (SqliteException)
        {
            return null;
        }
    }
}
