using Interviews.Functions.Events;
using Interviews.Functions.Reminders;

namespace Interviews.Functions.Storage;

/// <summary>Every index each container needs, in one place: SQLite builds them; containers.json declares them for Cosmos DB (a test compares).</summary>
public static class StorageIndexes
{
    /// <summary>The interviews container: interviews and dead letters.</summary>
    public static IReadOnlyList<IndexDefinition> Documents { get; } = [.. InterviewStore.Indexes, .. DeadLetters.Indexes, .. Calendar.CalendarStore.Indexes];

    public static IReadOnlyList<IndexDefinition> Reminders => ReminderStore.Indexes;
}
