namespace Interviews.Functions.Storage;

/// <summary>Storage settings (section <c>Storage</c>).</summary>
public sealed class StorageSettings
{
    public const string Section = "Storage";

    /// <summary>The SQLite file of the embedded store; relative paths are from the working directory.</summary>
    public string SqlitePath { get; set; } = Path.Combine(".data", "interviews.db");

    /// <summary>How long delivered-or-not event documents are kept (Cosmos DB TTL); default 7 days.</summary>
    public TimeSpan EventTimeToLive { get; set; } = TimeSpan.FromDays(7);
}
