using Interviews.Functions.Settings;
namespace Interviews.Functions.Storage;

/// <summary>Storage settings (section <c>Storage</c>).</summary>
public sealed class StorageSettings : ICheckedSettings
{
    public static readonly TimeSpan MaxEventTimeToLive = TimeSpan.FromDays(3650);
    public static readonly TimeSpan MaxSqliteWriteTimeout = TimeSpan.FromMinutes(1);

    public const string Section = "Storage";

    /// <summary>The SQLite file of the embedded store; relative paths are from the working directory.</summary>
    public string SqlitePath { get; set; } = Path.Combine(".data", "interviews.db");

    /// <summary>How long delivered-or-not event documents are kept (Cosmos DB TTL); default 7 days.</summary>
    public TimeSpan EventTimeToLive { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a write of the embedded store waits for its turn and the file's lock before the store counts as unavailable (503); default 5 s.</summary>
    public TimeSpan SqliteWriteTimeout { get; set; } = SqliteDocumentContainer.DefaultWriteTimeout;

    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(SqlitePath) || SqlitePath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            yield return $"Setting {Section}:SqlitePath must be a file path for the embedded store (relative paths are from the working directory).";
        }

        if (EventTimeToLive <= TimeSpan.Zero || EventTimeToLive > MaxEventTimeToLive)
        {
            yield return $"Setting {Section}:EventTimeToLive must be a positive time span of at most {MaxEventTimeToLive.Days} days, e.g. 7.00:00:00.";
        }

        if (SqliteWriteTimeout < TimeSpan.FromMilliseconds(100) || SqliteWriteTimeout > MaxSqliteWriteTimeout)
        {
            yield return $"Setting {Section}:SqliteWriteTimeout must be a time span from 00:00:00.1 to {MaxSqliteWriteTimeout:c}, e.g. 00:00:05.";
        }
    }
}
