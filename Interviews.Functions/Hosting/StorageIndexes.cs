using Interviews.Functions.Calendar;
using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
namespace Interviews.Functions.Hosting;

/// <summary>
/// Every index each container needs, gathered from the typed stores that query it: SQLite builds them,
/// infra/cosmos/containers.json declares them for Cosmos DB (a test compares the two).
/// </summary>
public static class StorageIndexes
{
    /// <summary>The interviews container: interviews, calendar connections and dead letters.</summary>
    public static IReadOnlyList<IndexDefinition> Documents { get; } = [.. InterviewStore.Indexes, .. DeadLetters.Indexes, .. CalendarStore.Indexes];

    /// <summary>The reminders container, partitioned by due hour.</summary>
    public static IReadOnlyList<IndexDefinition> Reminders => ReminderStore.Indexes;
}
