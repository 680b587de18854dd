using Interviews.Functions.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Calendar;

/// <summary>
/// Asks for one connected calendar to be synced soon: its pending interviews retried and its changes
/// read (a push notification arrived, a provider's Retry-After ran out, the connection was busy).
/// Requests for the same connection that arrive while one is waiting collapse into the one due first:
/// a burst of notifications costs one incremental read.
/// </summary>
public interface ICalendarSyncRequests
{
    Task RequestAsync(Guid userId, string provider, string reason, TimeSpan after, CancellationToken cancellationToken);
}

public static class CalendarSyncRequestsExtensions
{
    /// <summary>Asks for the connection to be synced now.</summary>
    public static Task RequestAsync(this ICalendarSyncRequests requests, Guid userId, string provider, string reason, CancellationToken cancellationToken) =>
        requests.RequestAsync(userId, provider, reason, TimeSpan.Zero, cancellationToken);
}

/// <summary>A connection sync in the queue <see cref="CalendarConnectionFunctions.Queue"/>.</summary>
public sealed record ConnectionSyncMessage(Guid UserId, string Provider, string Reason);

/// <summary>
/// Connection syncs as queue messages. A request marks the connection with when its sync is due
/// (<see cref="CalendarConnection.SyncRequestedFor"/>) and adds a message only when no sync is due as
/// soon; the sync clears the mark before it reads, so a change notified during the read gets a sync of
/// its own. A mark older than <see cref="LostAfter"/> belongs to a message that never ran (it went to
/// the poison queue): it no longer stops a new request.
/// </summary>
public sealed class QueuedCalendarSyncRequests(CalendarStore store, IWorkQueue queue, TimeProvider time) : ICalendarSyncRequests
{
    public static readonly TimeSpan LostAfter = TimeSpan.FromMinutes(10);

    public async Task RequestAsync(Guid userId, string provider, string reason, TimeSpan after, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = now + (after > TimeSpan.Zero ? after : TimeSpan.Zero);
        var needed = false;
        await store.UpdateConnectionAsync(userId, provider, c =>
        {
            needed = c.SyncRequestedFor is not { } requested || requested > due || requested < now - LostAfter;
            return needed ? c with { SyncRequestedFor = due } : c;
        }, cancellationToken);
        if (needed)
        {
            await queue.SendAsync(CalendarConnectionFunctions.Queue, CalendarConnectionFunctions.Serialize(new ConnectionSyncMessage(userId, provider, reason)), due - now, cancellationToken);
        }
    }
}

/// <summary>
/// The connection syncs' queue triggers: retries the connection's pending interviews and reads its
/// changes (<see cref="CalendarReconciler.ReconcileAsync"/>). Requested syncs (push notifications,
/// retries after a provider's wait, busy connections, channel renewals) arrive on <see cref="Queue"/>,
/// the reconcile timer's on <see cref="ReconcileQueue"/>; one connection per message, so any number of
/// connections are synced side by side on as many instances as the queues need.
/// </summary>
public sealed partial class CalendarConnectionFunctions(CalendarStore store, CalendarReconciler reconciler, ILogger<CalendarConnectionFunctions> logger)
{
    public const string Queue = "calendar-connections";

    [Function("CalendarConnectionSync")]
    public async Task Sync([QueueTrigger(Queue, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken)
    {
        var request = Parse(message);
        LogStarted(logger, request.Provider, request.UserId, request.Reason);
        // Cleared before the read: a change notified from now on asks for a sync of its own.
        await store.UpdateConnectionAsync(request.UserId, request.Provider, c => c.SyncRequestedFor is null ? c : c with { SyncRequestedFor = null }, cancellationToken);
        var applied = await reconciler.ReconcileAsync(request.UserId, request.Provider, cancellationToken);
        LogDone(logger, request.Provider, request.UserId, applied);
    }

    /// <summary>
    /// The reconcile timer's syncs, one message per connection, on a queue of their own: a run queues every
    /// connection at once, and a push notification's or a retry's sync must not wait behind that many
    /// (measured: with both on one queue, a notification's sync waited 5 s behind a run's 3,600 messages).
    /// </summary>
    public const string ReconcileQueue = "calendar-reconcile";

    [Function("CalendarReconcileSync")]
    public Task Reconcile([QueueTrigger(ReconcileQueue, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken)
    {
        // No mark to clear: the mark belongs to a requested sync, whose message is on the other queue.
        var request = Parse(message);
        return reconciler.ReconcileAsync(request.UserId, request.Provider, cancellationToken);
    }

    [Function("CalendarReconcileSyncPoison")]
    public Task ReconcilePoison([QueueTrigger(ReconcileQueue + WorkQueues.PoisonSuffix, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken) =>
        Poison(message, cancellationToken);

    [Function("CalendarConnectionSyncPoison")]
    public Task Poison([QueueTrigger(Queue + WorkQueues.PoisonSuffix, Connection = WorkQueues.Connection)] string message, CancellationToken cancellationToken)
    {
        // Nothing to park: the connection's next request or the reconcile timer syncs it again.
        var request = Parse(message);
        LogGaveUp(logger, request.Provider, request.Reason);
        return Task.CompletedTask;
    }

    public static string Serialize(ConnectionSyncMessage message) => System.Text.Json.JsonSerializer.Serialize(message, Storage.StorageJson.Options);

    private static ConnectionSyncMessage Parse(string message) =>
        System.Text.Json.JsonSerializer.Deserialize<ConnectionSyncMessage>(message, Storage.StorageJson.Options)
            ?? throw new System.Text.Json.JsonException("The connection sync message is empty.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider}: connection sync of user {UserId} ({Reason}) started")]
    private static partial void LogStarted(ILogger logger, string provider, Guid userId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider}: connection sync of user {UserId} done, {Applied} changes applied")]
    private static partial void LogDone(ILogger logger, string provider, Guid userId, int applied);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Provider} connection sync ({Reason}) never finished and was given up; the reconcile timer syncs the connection again")]
    private static partial void LogGaveUp(ILogger logger, string provider, string reason);
}
