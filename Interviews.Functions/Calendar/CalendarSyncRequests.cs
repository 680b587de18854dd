namespace Interviews.Functions.Calendar;

/// <summary>
/// Asks for one connected calendar to be read for changes soon (a push notification arrived, or the
/// reconcile timer's turn came). Requests for the same connection that arrive while one is waiting
/// collapse into one: a burst of notifications costs one incremental read.
/// </summary>
public interface ICalendarSyncRequests
{
    Task RequestAsync(Guid userId, string provider, string reason, CancellationToken cancellationToken);
}

/// <summary>Reads the connection's changes in the caller's turn (until the work queues carry these requests).</summary>
public sealed class InlineCalendarSyncRequests(CalendarReconciler reconciler) : ICalendarSyncRequests
{
    public Task RequestAsync(Guid userId, string provider, string reason, CancellationToken cancellationToken) =>
        reconciler.ReconcileAsync(userId, provider, cancellationToken);
}
