using Interviews.Functions.Diagnostics;
using Interviews.Functions.Interviews;
using System.Text;
using Interviews.Domain;
using Interviews.Functions.Events;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Calendar;

/// <summary>
/// Brings an interview's event in each of the user's connected calendars in line with the interview's
/// current state: create or update it (once per interview version), delete it when the interview is
/// cancelled, leave it alone once the user deleted it in the calendar. Working from the current state
/// (not from the event's data) makes a repeated, late or out-of-order delivery harmless. The calendars
/// are synced side by side.
/// A provider's failure is kept on its connection (the interview joins the connection's pending list)
/// and a sync of that connection is asked for once the provider's Retry-After has passed; a call that
/// takes longer than <see cref="CalendarSettings.ProviderTimeout"/> counts as such a failure, and a
/// connection whose calls are all in flight (<see cref="ConnectionLimiter"/>) leaves the interview
/// pending for a moment. None of these holds back other calendars, users or deliveries; only an
/// unavailable store fails the delivery, so that it is retried.
/// </summary>
public sealed partial class CalendarSync(
    IInterviewReader interviews,
    CalendarStore store,
    CalendarOAuth oauth,
    IEnumerable<ICalendarClient> clients,
    CalendarSettings settings,
    ConnectionLimiter limiter,
    ICalendarSyncRequests syncRequests,
    TimeProvider time,
    ILogger<CalendarSync> logger)
{
    /// <summary>The wait before a busy connection's sync is tried again.</summary>
    public static readonly TimeSpan BusyRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Refresh an access token this long before it expires.</summary>
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(2);

    public async Task SyncInterviewAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken)
    {
        var interview = await interviews.FindAsync(userId, interviewId, cancellationToken);
        if (interview is null)
        {
            return;
        }

        await Task.WhenAll(CalendarProviders.All.Select(async provider =>
        {
            if (await store.GetConnectionAsync(userId, provider, cancellationToken) is { Connection.Status: ConnectionStatus.Connected })
            {
                await SyncToAsync(userId, provider, interview, force: false, cancellationToken);
            }
        }));
    }

    /// <summary>Syncs one interview to one calendar, recording the outcome on the connection. True when the calendar is up to date.</summary>
    public async Task<bool> SyncToAsync(Guid userId, string provider, Interview interview, bool force, CancellationToken cancellationToken)
    {
        if (await store.GetConnectionAsync(userId, provider, cancellationToken) is not { } found)
        {
            return true;
        }

        var connection = found.Connection;
        if (connection.RetryAfter is { } retryAfter && retryAfter > time.GetUtcNow())
        {
            // The provider asked us to wait: join the queue the reconcile timer works through.
            await MarkPendingAsync(userId, provider, interview.Id, null, cancellationToken);
            return false;
        }

        try
        {
            await ApplyAsync(userId, provider, interview, force, cancellationToken);
            await store.UpdateConnectionAsync(userId, provider, c => c with
            {
                Pending = [.. c.Pending.Where(id => id != interview.Id)],
                LastError = c.Pending.Any(id => id != interview.Id) ? c.LastError : null,
                LastSyncAt = time.GetUtcNow(),
                RetryAfter = null,
            }, cancellationToken);

            return true;
        }
        catch (ConnectionBusyException)
        {
            await MarkPendingAsync(userId, provider, interview.Id, null, cancellationToken);
            await syncRequests.RequestAsync(userId, provider, "busy", BusyRetryDelay, cancellationToken);
            return false;
        }
        catch (Exception e) when (e is CalendarApiException or GrantRevokedException)
        {
            await RecordFailureAsync(userId, provider, interview.Id, e, cancellationToken);
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> in the connection's turn (<see cref="ConnectionLimiter"/>) with a
    /// fresh access token, refreshing before expiry and once more after a 401, all within
    /// <see cref="CalendarSettings.ProviderTimeout"/>: a provider slower than that throws a transient
    /// <see cref="CalendarApiException"/> (status 0).
    /// </summary>
    public async Task<T> WithAccessTokenAsync<T>(Guid userId, string provider, Func<string, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var turn = await limiter.EnterAsync(userId, provider, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ProviderTimeout);
        try
        {
            var token = await AccessTokenAsync(userId, provider, forceRefresh: false, timeout.Token);
            try
            {
                return await call(token, timeout.Token);
            }
            catch (CalendarApiException e) when (e.Status == 401)
            {
                token = await AccessTokenAsync(userId, provider, forceRefresh: true, timeout.Token);
                return await call(token, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CalendarApiException(provider, 0, $"no answer within {settings.ProviderTimeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Keeps a failure on the connection: revoked → reconsent required; otherwise pending, retried after the provider's wait.</summary>
    public async Task RecordFailureAsync(Guid userId, string provider, Guid? interviewId, Exception failure, CancellationToken cancellationToken)
    {
        var (reason, message) = failure switch
        {
            GrantRevokedException => ("reconsent", $"{CalendarProviders.DisplayName(provider)} no longer accepts the grant; connect the calendar again."),
            CalendarApiException { Status: 429 } e => ("throttled", $"{CalendarProviders.DisplayName(provider)} asked to slow down (429); retrying after {RetryDelay(e):c}."),
            CalendarApiException { IsTransient: true } e => ("unavailable", $"{CalendarProviders.DisplayName(provider)} failed ({e.Status}); retrying after {RetryDelay(e):c}."),
            CalendarApiException e => ("rejected", $"{CalendarProviders.DisplayName(provider)} refused the change ({e.Status})."),
            _ => ("error", failure.GetType().Name),
        };
        Telemetry.CalendarSyncFailures.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("reason", reason));
        LogFailure(logger, failure is CalendarApiException api ? api.Status : 0, provider, interviewId, reason);
        if (failure is GrantRevokedException)
        {
            await store.UpdateConnectionAsync(userId, provider, c => c with { Status = ConnectionStatus.ReconsentRequired, LastError = message }, cancellationToken);
            return;
        }

        var delay = RetryDelay(failure as CalendarApiException);
        await MarkPendingAsync(userId, provider, interviewId, (message, time.GetUtcNow() + delay), cancellationToken);
        // The pending interviews are retried by the connection's sync once the provider's wait is over.
        await syncRequests.RequestAsync(userId, provider, reason, delay, cancellationToken);
    }

    private TimeSpan RetryDelay(CalendarApiException? e) =>
        e?.RetryAfter is { } wait && wait > TimeSpan.Zero ? wait : settings.DefaultRetryDelay;

    private Task MarkPendingAsync(Guid userId, string provider, Guid? interviewId, (string Message, DateTimeOffset RetryAfter)? failure, CancellationToken cancellationToken) =>
        store.UpdateConnectionAsync(userId, provider, c => c with
        {
            Pending = interviewId is { } id && !c.Pending.Contains(id) ? [.. c.Pending, id] : c.Pending,
            LastError = failure?.Message ?? c.LastError,
            RetryAfter = failure?.RetryAfter ?? c.RetryAfter,
        }, cancellationToken);

    private async Task ApplyAsync(Guid userId, string provider, Interview interview, bool force, CancellationToken cancellationToken)
    {
        var client = clients.Single(c => c.Provider == provider);
        var (link, etag) = await store.GetLinkAsync(userId, interview.Id, cancellationToken);
        var entry = link.Events.GetValueOrDefault(provider);
        LinkedEvent? next;
        if (entry is { State: LinkState.Unlinked or LinkState.Deleted })
        {
            // Deleted by the user in the calendar (not recreated), or already deleted for a cancellation.
            return;
        }

        if (interview.Status == InterviewStatus.Cancelled)
        {
            await WithAccessTokenAsync(userId, provider, async (token, callCancelled) =>
            {
                await client.DeleteAsync(token, entry?.EventId, interview.Id, callCancelled);
                return true;
            }, cancellationToken);
            next = new LinkedEvent(entry?.EventId, LinkState.Deleted, interview.Version, entry?.SyncedStart);
        }
        else if (!force && entry is { State: LinkState.Linked } && entry.SyncedVersion >= interview.Version)
        {
            return;
        }
        else
        {
            var data = EventData(interview);
            var eventId = await WithAccessTokenAsync(userId, provider, (token, callCancelled) => client.UpsertAsync(token, entry?.EventId, data, callCancelled), cancellationToken);
            if (eventId is null)
            {
                // The user deleted the event in the calendar and the service had not read that yet: the
                // same outcome as the reconcile reading the deletion (unlinked, never recreated), not a
                // failure to retry for ever.
                next = new LinkedEvent(entry?.EventId, LinkState.Unlinked, entry?.SyncedVersion ?? 0, entry?.SyncedStart);
                LogDeletedInCalendar(logger, provider, interview.Id);
            }
            else
            {
                next = new LinkedEvent(eventId, LinkState.Linked, interview.Version, interview.ScheduledAt);
            }

            if (provider == CalendarProviders.Outlook && eventId is not null && entry?.EventId != eventId)
            {
                await store.RememberEventAsync(userId, provider, eventId, interview.Id, cancellationToken);
            }
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var events = new Dictionary<string, LinkedEvent>(link.Events, StringComparer.Ordinal) { [provider] = next };
            if (await store.SaveLinkAsync(userId, link with { Events = events }, etag, cancellationToken))
            {
                return;
            }

            // The other calendar's sync of this interview wrote its own entry meanwhile: keep it and write
            // ours again. If this calendar's entry changed, another sync of it won: fail, so that the
            // delivery is retried on fresh state (the provider call made here is idempotent).
            (link, etag) = await store.GetLinkAsync(userId, interview.Id, cancellationToken);
            if (link.Events.GetValueOrDefault(provider) != entry)
            {
                break;
            }
        }

        throw new InvalidOperationException($"The calendar link of interview {interview.Id} changed during the sync.");
    }

    private async Task<string> AccessTokenAsync(Guid userId, string provider, bool forceRefresh, CancellationToken cancellationToken)
    {
        var (connection, _) = await store.GetConnectionAsync(userId, provider, cancellationToken)
            ?? throw new GrantRevokedException(provider);
        var tokens = store.Unprotect(connection);
        if (!forceRefresh && connection.AccessTokenExpiresAt > time.GetUtcNow() + RefreshMargin)
        {
            return tokens.AccessToken;
        }

        if (tokens.RefreshToken is null)
        {
            throw new GrantRevokedException(provider);
        }

        var grant = await oauth.RefreshAsync(provider, tokens.RefreshToken, cancellationToken);
        await store.UpdateConnectionAsync(userId, provider, c => c with
        {
            ProtectedTokens = store.Protect(grant.Tokens),
            AccessTokenExpiresAt = grant.ExpiresAt,
            AccountEmail = grant.AccountEmail ?? c.AccountEmail,
        }, cancellationToken);
        LogRefreshed(logger, provider);
        return grant.Tokens.AccessToken;
    }

    /// <summary>The event for an interview: a clear title, its own zone, the location (or video link), interviewers named in the description.</summary>
    public static CalendarEventData EventData(Interview interview)
    {
        var description = new StringBuilder();
        description.Append(InterviewTypes.Describe(interview.InterviewType)).Append(" interview");
        if (interview.Interviewers.Count > 0)
        {
            description.Append("\nInterviewers: ").AppendJoin(", ", interview.Interviewers);
        }

        if (VideoLinks.Find(interview.Location) is { } video)
        {
            description.Append("\nJoin: ").Append(video.Url);
        }

        description.Append("\nTime zone: ").Append(interview.Timezone.Id);
        return new CalendarEventData(
            interview.Id,
            interview.Version,
            InterviewIcs.Title(interview),
            description.ToString(),
            interview.Location,
            interview.ScheduledAt,
            interview.ScheduledAt.AddMinutes(interview.Duration),
            interview.Timezone.Id);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calendar sync to {Provider} failed ({Status}, {Reason}) for interview {InterviewId}")]
    private static partial void LogFailure(ILogger logger, int status, string provider, Guid? interviewId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: the event of interview {InterviewId} was deleted in the calendar before this change reached it; unlinked")]
    private static partial void LogDeletedInCalendar(ILogger logger, string provider, Guid interviewId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed the {Provider} access token")]
    private static partial void LogRefreshed(ILogger logger, string provider);
}

/// <summary>
/// The event pump's calendar handler: on schedule, reschedule, details update and cancel, syncs the
/// interview to every connected calendar (<see cref="CalendarSync"/>). Idempotent: it works from the
/// interview's current state and version.
/// </summary>
public sealed class CalendarSyncHandler(CalendarSync sync) :
    IEventHandler<InterviewScheduled>,
    IEventHandler<InterviewRescheduled>,
    IEventHandler<InterviewDetailsUpdated>,
    IEventHandler<InterviewCancelled>
{
    public const string HandlerName = "calendar";

    public string Name => HandlerName;

    public Task HandleAsync(InterviewScheduled recorded, CancellationToken cancellationToken) => SyncAsync(recorded, cancellationToken);

    public Task HandleAsync(InterviewRescheduled recorded, CancellationToken cancellationToken) => SyncAsync(recorded, cancellationToken);

    public Task HandleAsync(InterviewDetailsUpdated recorded, CancellationToken cancellationToken) => SyncAsync(recorded, cancellationToken);

    public Task HandleAsync(InterviewCancelled recorded, CancellationToken cancellationToken) => SyncAsync(recorded, cancellationToken);

    private Task SyncAsync(IDomainEvent recorded, CancellationToken cancellationToken) =>
        sync.SyncInterviewAsync(recorded.UserId, recorded.InterviewId, cancellationToken);
}
