using Interviews.Functions.Interviews;
using System.Text;
using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Calendar;

public sealed record AuthorizationResponse(string Provider, string AuthorizationUrl, DateTimeOffset ExpiresAt);

/// <summary>A connection as the API shows it: never a token.</summary>
public sealed record ConnectionResponse(string Provider, string? AccountEmail, string Status, DateTimeOffset ConnectedAt, DateTimeOffset? LastSyncAt, string? LastError, int PendingSyncs);

public sealed record ConnectionListResponse(IReadOnlyList<ConnectionResponse> Items);

public sealed record FeedResponse(string Url, DateTimeOffset CreatedAt);

/// <summary>
/// The calendar endpoints: consent (OAuth 2.0 authorization code with PKCE) and connections, the
/// personal ICS feed, and one interview as an ICS file. The OAuth callback and the feed are the only
/// anonymous ones: they find their user through the hashed state or feed token, never a request field.
/// </summary>
public sealed partial class CalendarApi(
    CalendarStore store,
    CalendarOAuth oauth,
    CalendarSync sync,
    CalendarPush push,
    IInterviewReader interviews,
    IEnumerable<ICalendarClient> clients,
    CalendarSettings settings,
    TimeProvider time,
    ILogger<CalendarApi> logger)
{
    /// <summary>How far back the feed reaches (past interviews stay visible for a while).</summary>
    public static readonly TimeSpan FeedHistory = TimeSpan.FromDays(90);

    public const int MaxFeedEvents = 1000;

    [Function("ConnectCalendar")]
    public async Task<IResult> Connect(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "calendar/connections/{provider}")] HttpRequest request,
        CurrentUser user,
        string provider,
        CancellationToken cancellationToken)
    {
        if (!CalendarProviders.IsKnown(provider) || !settings.For(provider).IsConfigured)
        {
            return ProviderNotFound();
        }

        var state = CalendarOAuth.NewSecret();
        var verifier = CalendarOAuth.NewSecret();
        var expiresAt = time.GetUtcNow() + settings.StateLifetime;
        await store.CreateStateAsync(state, new OAuthState(user.Id, provider, store.ProtectText(verifier), expiresAt), cancellationToken);
        return new JsonResult<AuthorizationResponse>(new AuthorizationResponse(provider, oauth.AuthorizationUrl(provider, state, verifier).AbsoluteUri, expiresAt));
    }

    [AllowAnonymous]
    [Function("CalendarOAuthCallback")]
    public async Task<IResult> Callback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "calendar/oauth/{provider}/callback")] HttpRequest request,
        string provider,
        CancellationToken cancellationToken)
    {
        var stateText = request.Query["state"].ToString();
        if (!CalendarProviders.IsKnown(provider) || stateText.Length is 0 or > 100
            || await store.ConsumeStateAsync(stateText, cancellationToken) is not { } state || state.Provider != provider)
        {
            LogBadState(logger, CalendarProviders.IsKnown(provider) ? provider : "unknown");
            return Problems.Status(StatusCodes.Status400BadRequest, "invalid-state", "The consent's state is unknown, expired or already used; start the connection again.");
        }

        if (request.Query["error"].Count > 0)
        {
            return Redirect(provider, "denied");
        }

        var code = request.Query["code"].ToString();
        if (code.Length is 0 or > 4096)
        {
            return Problems.Status(StatusCodes.Status400BadRequest, "validation", "The provider's answer has no authorization code.", new Dictionary<string, string[]> { ["code"] = ["The authorization code is required."] });
        }

        TokenGrant grant;
        try
        {
            grant = await oauth.ExchangeCodeAsync(provider, code, store.UnprotectText(state.ProtectedVerifier), cancellationToken);
        }
        catch (Exception e) when (e is CalendarApiException or GrantRevokedException or HttpRequestException)
        {
            LogExchangeFailed(logger, provider, e.GetType().Name);
            return Redirect(provider, "failed");
        }

        var userId = state.OwnerId;
        var now = time.GetUtcNow();
        var pending = await OpenInterviewsAsync(userId, cancellationToken);
        await store.AddConnectionRefAsync(userId, provider, cancellationToken);
        var existing = await store.GetConnectionAsync(userId, provider, cancellationToken);
        var connection = new CalendarConnection(
            provider,
            grant.AccountEmail,
            ConnectionStatus.Connected,
            store.Protect(grant.Tokens),
            grant.ExpiresAt,
            now,
            existing?.Connection.LastSyncAt,
            null,
            null,
            existing?.Connection.SyncCursor,
            [.. (existing?.Connection.Pending ?? []).Union(pending)])
        {
            Push = existing?.Connection.Push,
        };
        if (!await store.SaveConnectionAsync(userId, connection, existing?.ETag, cancellationToken))
        {
            return Redirect(provider, "failed");
        }

        // Push notifications from now on (best effort: a failure is retried by the connection's next sync).
        await push.EnsureAsync(userId, provider, cancellationToken);

        LogConnected(logger, provider, userId);
        return Redirect(provider, "connected");
    }

    [Function("ListCalendarConnections")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "calendar/connections")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        var items = new List<ConnectionResponse>();
        foreach (var provider in CalendarProviders.All)
        {
            if (await store.GetConnectionAsync(user.Id, provider, cancellationToken) is { Connection: var c })
            {
                items.Add(new ConnectionResponse(
                    c.Provider, c.AccountEmail, c.Status == ConnectionStatus.Connected ? "connected" : "reconsentRequired", c.ConnectedAt, c.LastSyncAt, c.LastError, c.Pending.Count));
            }
        }

        return new JsonResult<ConnectionListResponse>(new ConnectionListResponse(items));
    }

    [Function("DisconnectCalendar")]
    public async Task<IResult> Disconnect(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "calendar/connections/{provider}")] HttpRequest request,
        CurrentUser user,
        string provider,
        CancellationToken cancellationToken)
    {
        // Exactly the contract's boolean: "true" or "false", once.
        var removeEventsValues = request.Query["removeEvents"];
        if (removeEventsValues.Count > 0 && removeEventsValues is not ["true" or "false"])
        {
            return Problems.From(Error.Validation("removeEvents", "removeEvents is true or false."));
        }

        if (!CalendarProviders.IsKnown(provider) || await store.GetConnectionAsync(user.Id, provider, cancellationToken) is not { } found)
        {
            return ProviderNotFound();
        }

        var removeEvents = removeEventsValues is ["true"];
        if (removeEvents && found.Connection.Status == ConnectionStatus.Connected)
        {
            await RemoveEventsAsync(user.Id, provider, cancellationToken);
        }

        // While the grant still works: the provider stops pushing for this calendar.
        await push.StopAsync(user.Id, found.Connection, cancellationToken);
        try
        {
            await oauth.RevokeAsync(provider, store.Unprotect(found.Connection), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // Best effort: the tokens are deleted below whatever the provider says.
            LogRevokeFailed(logger, provider);
        }

        await store.DeleteConnectionAsync(user.Id, provider, cancellationToken);
        return Results.NoContent();
    }

    [Function("CreateCalendarFeed")]
    public async Task<IResult> CreateFeed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "calendar/feed")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        var token = CalendarOAuth.NewSecret();
        await store.SetFeedAsync(user.Id, token, cancellationToken);
        return new JsonResult<FeedResponse>(new FeedResponse($"{settings.FeedBaseUrl.TrimEnd('/')}/api/calendar/feed/{token}.ics", time.GetUtcNow()));
    }

    [Function("RevokeCalendarFeed")]
    public async Task<IResult> RevokeFeed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "calendar/feed")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        await store.RevokeFeedAsync(user.Id, cancellationToken);
        return Results.NoContent();
    }

    [AllowAnonymous]
    [Function("GetCalendarFeed")]
    public async Task<IResult> Feed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "calendar/feed/{token}.ics")] HttpRequest request,
        string token,
        CancellationToken cancellationToken)
    {
        // A token is 32 random bytes in base64url (43 characters); anything else cannot be one.
        if (token is not { Length: 43 } || await store.FindFeedOwnerAsync(token, cancellationToken) is not { } userId)
        {
            return Problems.Status(StatusCodes.Status404NotFound, "not-found", "No feed at this address.");
        }

        var now = time.GetUtcNow();
        var events = new List<Ical.Net.CalendarComponents.CalendarEvent>();
        await foreach (var interview in interviews.ListAsync(userId, now - FeedHistory, openOnly: false, cancellationToken))
        {
            if (interview.Status != InterviewStatus.Cancelled || interview.UpdatedAt > now - settings.CancelledInFeedFor)
            {
                events.Add(InterviewIcs.Event(interview, now));
                if (events.Count == MaxFeedEvents)
                {
                    break;
                }
            }
        }

        return new CalendarResult(InterviewIcs.Serialize(events, name: "Interviews"));
    }

    [Function("GetInterviewCalendar")]
    public async Task<IResult> InterviewCalendar(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews/{id}/calendar.ics")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var interviewId) || await interviews.FindAsync(user.Id, interviewId, cancellationToken) is not { } interview)
        {
            return Problems.From(Interview.NotFound);
        }

        return new CalendarResult(InterviewIcs.Serialize([InterviewIcs.Event(interview, time.GetUtcNow())]));
    }

    /// <summary>The user's open interviews from now on: what a new connection starts with (the reconcile timer writes them).</summary>
    private async Task<IReadOnlyList<Guid>> OpenInterviewsAsync(Guid userId, CancellationToken cancellationToken) =>
        await interviews.ListAsync(userId, time.GetUtcNow(), openOnly: true, cancellationToken).Take(200).Select(i => i.Id).ToListAsync(cancellationToken);

    /// <summary>Deletes the events this connection created (best effort per event) and forgets them.</summary>
    private async Task RemoveEventsAsync(Guid userId, string provider, CancellationToken cancellationToken)
    {
        var client = clients.Single(c => c.Provider == provider);
        await foreach (var interview in interviews.ListAsync(userId, from: null, openOnly: false, cancellationToken))
        {
            var (link, etag) = await store.GetLinkAsync(userId, interview.Id, cancellationToken);
            if (link.Events.GetValueOrDefault(provider) is not { State: LinkState.Linked } entry)
            {
                continue;
            }

            try
            {
                await sync.WithAccessTokenAsync(userId, provider, async (accessToken, callCancelled) =>
                {
                    await client.DeleteAsync(accessToken, entry.EventId, interview.Id, callCancelled);
                    return true;
                }, cancellationToken);
            }
            catch (Exception e) when (e is CalendarApiException or GrantRevokedException or ConnectionBusyException)
            {
                LogRemoveFailed(logger, provider, interview.Id);
                continue;
            }

            var events = link.Events.Where(e => e.Key != provider).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            await store.SaveLinkAsync(userId, link with { Events = events }, etag, cancellationToken);
        }
    }

    private IResult Redirect(string provider, string outcome) =>
        Results.Redirect(QueryHelpers.AddQueryString(settings.ConsentResultRedirectUrl, new Dictionary<string, string?> { ["provider"] = provider, ["outcome"] = outcome }));

    private static IResult ProviderNotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "not-found", "No such calendar connection (the providers are google and outlook).");

    /// <summary>An RFC 5545 body as <c>text/calendar</c>; private, so that shared caches never keep a user's calendar.</summary>
    private sealed class CalendarResult(string body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = InterviewIcs.ContentType + "; charset=utf-8";
            httpContext.Response.Headers.CacheControl = "private, max-age=300";
            await httpContext.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), httpContext.RequestAborted);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calendar consent callback for {Provider} with an unknown, expired or used state")]
    private static partial void LogBadState(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calendar consent for {Provider}: the code exchange failed ({Failure})")]
    private static partial void LogExchangeFailed(ILogger logger, string provider, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Calendar {Provider} connected for user {UserId}")]
    private static partial void LogConnected(ILogger logger, string provider, Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calendar {Provider}: revoking the grant failed; the tokens are deleted anyway")]
    private static partial void LogRevokeFailed(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calendar {Provider}: removing the event of interview {InterviewId} failed")]
    private static partial void LogRemoveFailed(ILogger logger, string provider, Guid interviewId);
}
