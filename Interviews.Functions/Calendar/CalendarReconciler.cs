using Interviews.Functions.Interviews;
using Interviews.Domain;
using Interviews.Functions.Queues;
using Interviews.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Calendar;

/// <summary>
/// Two-way sync of one connection (<see cref="ReconcileAsync"/>, run from the connection syncs' queue for
/// a push notification, a retry or the reconcile timer's safety net): retries the syncs that failed (once the
/// provider's Retry-After has passed), then reads the calendar's changes incrementally (Google: sync
/// token, a 410 meaning a full read; Graph: calendar view delta and its deltaLink) and applies those to
/// events this service created. A move becomes a reschedule of the interview (initiated by the
/// candidate, the reason naming the calendar); a deletion unlinks the event (the interview is not
/// cancelled and the event is not recreated). The service's own writes come back in the changes too and
/// are recognised: an event whose start is the one last written, or one the service deleted, is an echo.
/// </summary>
public sealed partial class CalendarReconciler(
    CalendarStore store,
    CalendarSync sync,
    CalendarPush push,
    IInterviewReader interviews,
    IInterviewChanges changes,
    IEnumerable<ICalendarClient> clients,
    ICalendarSyncRequests syncRequests,
    IWorkQueue queue,
    TimeProvider time,
    ILogger<CalendarReconciler> logger)
{
    /// <summary>
    /// One run of the safety net: a sync of every connection, each a message of its own in
    /// <see cref="CalendarConnectionFunctions.ReconcileQueue"/>, so that the run takes as long as listing the
    /// connections and the syncs run side by side. Returns how many syncs were queued.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var queued = 0;
        DocumentCursor? cursor = null;
        do
        {
            var (items, next) = await store.ListConnectionRefsAsync(cursor, cancellationToken);
            var messages = items.Select(r => CalendarConnectionFunctions.Serialize(new ConnectionSyncMessage(r.OwnerId, r.Provider!, "poll"))).ToList();
            await queue.SendAsync(CalendarConnectionFunctions.ReconcileQueue, messages, TimeSpan.Zero, cancellationToken);
            queued += messages.Count;
            cursor = next;
        }
        while (cursor is not null);

        LogQueued(logger, queued);
        return queued;
    }

    public async Task<int> ReconcileAsync(Guid userId, string provider, CancellationToken cancellationToken)
    {
        if (await store.GetConnectionAsync(userId, provider, cancellationToken) is not { Connection: { Status: ConnectionStatus.Connected } connection })
        {
            return 0;
        }

        if (connection.RetryAfter is { } wait && wait > time.GetUtcNow())
        {
            // The provider asked to wait: the connection's sync comes back when the wait is over.
            await syncRequests.RequestAsync(userId, provider, "retry-after", wait - time.GetUtcNow(), cancellationToken);
            return 0;
        }

        // A missing or expiring push channel is made or renewed here: every connection sync (the reconcile
        // timer's for existing connections, the renewal timer's, a lifecycle notification's) looks after it.
        await push.EnsureAsync(userId, connection, cancellationToken);

        // Failed syncs first: they retry with the interview's current state.
        foreach (var interviewId in connection.Pending)
        {
            var interview = await interviews.FindAsync(userId, interviewId, cancellationToken);
            if (interview is null)
            {
                await store.UpdateConnectionAsync(userId, provider, c => c with { Pending = [.. c.Pending.Where(id => id != interviewId)] }, cancellationToken);
            }
            else if (!await sync.SyncToAsync(userId, provider, interview, force: false, cancellationToken))
            {
                return 0;
            }
        }

        var client = clients.Single(c => c.Provider == provider);
        CalendarChanges changes;
        try
        {
            changes = await sync.WithAccessTokenAsync(userId, provider, async (token, callCancelled) =>
            {
                try
                {
                    return await client.ReadChangesAsync(token, connection.SyncCursor, callCancelled);
                }
                catch (SyncCursorExpiredException)
                {
                    LogFullResync(logger, provider);
                    return await client.ReadChangesAsync(token, null, callCancelled);
                }
            }, cancellationToken);
        }
        catch (ConnectionBusyException)
        {
            await syncRequests.RequestAsync(userId, provider, "busy", CalendarSync.BusyRetryDelay, cancellationToken);
            return 0;
        }
        catch (Exception e) when (e is CalendarApiException or GrantRevokedException)
        {
            await sync.RecordFailureAsync(userId, provider, null, e, cancellationToken);
            return 0;
        }

        var applied = 0;
        foreach (var change in changes.Changes)
        {
            if (await ApplyAsync(userId, provider, change, cancellationToken))
            {
                applied++;
            }
        }

        await store.UpdateConnectionAsync(userId, provider, c => c with { SyncCursor = changes.Cursor, LastSyncAt = time.GetUtcNow() }, cancellationToken);
        return applied;
    }

    private async Task<bool> ApplyAsync(Guid userId, string provider, CalendarChange change, CancellationToken cancellationToken)
    {
        var interviewId = change.InterviewId ?? await store.FindEventAsync(userId, provider, change.EventId, cancellationToken);
        if (interviewId is not { } id)
        {
            return false; // Not an event this service made.
        }

        var (link, etag) = await store.GetLinkAsync(userId, id, cancellationToken);
        if (link.Events.GetValueOrDefault(provider) is not { State: LinkState.Linked } entry || entry.EventId != change.EventId)
        {
            return false; // Deleted by the service (an echo), already unlinked, or another event.
        }

        if (change.Removed)
        {
            var events = new Dictionary<string, LinkedEvent>(link.Events, StringComparer.Ordinal) { [provider] = entry with { State = LinkState.Unlinked } };
            await store.SaveLinkAsync(userId, link with { Events = events }, etag, cancellationToken);
            LogUnlinked(logger, provider, id);
            return true;
        }

        if (change.Start is not { } start || start == entry.SyncedStart)
        {
            return false; // The service's own write coming back.
        }

        var result = await changes.ApplyAsync(
            userId,
            id,
            (interview, now) => interview.Reschedule(start, $"Moved in {CalendarProviders.DisplayName(provider)}", RescheduleInitiator.Candidate, now),
            cancellationToken);
        if (result.IsSuccess)
        {
            // The calendar already shows this start: remember it, so that reading the change again is an echo.
            var events = new Dictionary<string, LinkedEvent>(link.Events, StringComparer.Ordinal) { [provider] = entry with { SyncedStart = start } };
            await store.SaveLinkAsync(userId, link with { Events = events }, etag, cancellationToken);
            LogRescheduled(logger, provider, id);
            return true;
        }

        // The move cannot be applied (the time has passed, the interview is completed or cancelled): the
        // interview wins, and its time is written back to the calendar.
        LogRefused(logger, provider, id, result.Error!.Code);
        if (await interviews.FindAsync(userId, id, cancellationToken) is { } current)
        {
            await sync.SyncToAsync(userId, provider, current, force: true, cancellationToken);
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Calendar reconcile: {Count} connection syncs queued")]
    private static partial void LogQueued(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: the sync cursor expired; reading the calendar in full")]
    private static partial void LogFullResync(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: the event of interview {InterviewId} was deleted in the calendar; unlinked")]
    private static partial void LogUnlinked(ILogger logger, string provider, Guid interviewId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: the event of interview {InterviewId} was moved in the calendar; rescheduled")]
    private static partial void LogRescheduled(ILogger logger, string provider, Guid interviewId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: the move of interview {InterviewId} cannot be applied ({Code}); the calendar is set back")]
    private static partial void LogRefused(ILogger logger, string provider, Guid interviewId, string code);
}

/// <summary>The reconcile timer: schedule from the <c>CalendarReconcileSchedule</c> setting (default every 15 minutes).</summary>
public sealed class CalendarTimerFunctions(CalendarReconciler reconciler)
{
    [Function("CalendarReconcile")]
    public Task Reconcile([TimerTrigger("%" + CalendarSettings.ReconcileScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        reconciler.RunOnceAsync(cancellationToken);
}
