using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Interviews.Benchmarks.Load;

/// <summary>How the fakes answer: every call after <see cref="Latency"/>; the failing users' calls to one provider fail.</summary>
internal sealed record FakeBehaviour(TimeSpan Latency, string FailingProvider, IReadOnlySet<int> FailingAccounts, string FailureKind, int RetryAfterSeconds)
{
    public static FakeBehaviour Clean(TimeSpan latency) => new(latency, Providers.Google, new HashSet<int>(), "mixed", 5);
}

/// <summary>
/// Google Calendar v3 + Google OAuth and Microsoft Graph + the Microsoft identity platform's token endpoint,
/// on one loopback Kestrel port, as far as the service calls them: authorization code with PKCE (S256
/// checked) and refresh; Google events insert (client-chosen ids, 409 on a taken id), update, patch,
/// delete, list with sync tokens (410 on an unknown one) and <c>events.watch</c> + <c>channels.stop</c>;
/// Graph <c>/me/events</c> (transactionId honoured, the extended-property filter), <c>calendarView/delta</c>
/// with delta links and <c>/subscriptions</c> with the validationToken handshake. Every change to an event
/// is logged with its time, and pushed to the calendar's channels the way each provider pushes.
/// Each answer waits <see cref="FakeBehaviour.Latency"/>; concurrent calls are counted.
/// </summary>
internal sealed partial class FakeProviders : IAsyncDisposable
{
    public const string ClientId = "bench-client";
    public const string ClientSecret = "bench-secret";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(string Provider, int Index), FakeAccount> _accounts = new();
    private readonly ConcurrentDictionary<string, FakeAccount> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeAccount> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (FakeAccount Account, string Challenge, string RedirectUri)> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CalendarChangeRecord> _changes = new();
    private readonly ConcurrentQueue<(double At, string Provider, int Account, bool Full)> _reads = new();
    private readonly HttpClient _push;
    private readonly SemaphoreSlim _pushGate = new(32);
    private int _inFlight;
    private int _peakInFlight;
    private long _calls;
    private long _failedCalls;
    private long _pushSent;
    private long _pushFailed;
    private long _validations;
    private long _validationsFailed;

    private FakeProviders(WebApplication app, FakeBehaviour behaviour)
    {
        _app = app;
        Behaviour = behaviour;
        _push = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 32 }) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public FakeBehaviour Behaviour { get; set; }

    /// <summary>False: changes are not pushed (the polling phase), channels are still kept.</summary>
    public bool PushEnabled { get; set; } = true;

    /// <summary>Called for every change to an event, after it was applied.</summary>
    public event Action<CalendarChangeRecord>? Changed;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyCollection<CalendarChangeRecord> Changes => _changes;

    /// <summary>Every read of a calendar's changes (Google events.list first page, Graph delta first page): when, whose, full or incremental.</summary>
    public IReadOnlyCollection<(double At, string Provider, int Account, bool Full)> Reads => _reads;

    public int InFlight => Volatile.Read(ref _inFlight);

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public long Calls => Interlocked.Read(ref _calls);

    public long FailedCalls => Interlocked.Read(ref _failedCalls);

    public long PushSent => Interlocked.Read(ref _pushSent);

    public long PushFailed => Interlocked.Read(ref _pushFailed);

    public long Validations => Interlocked.Read(ref _validations);

    public long ValidationsFailed => Interlocked.Read(ref _validationsFailed);

    public void ResetPeak() => Volatile.Write(ref _peakInFlight, Volatile.Read(ref _inFlight));

    public IEnumerable<FakeAccount> Accounts => _accounts.Values;

    public FakeAccount? Account(string provider, int index) => _accounts.GetValueOrDefault((provider, index));

    /// <summary>Channels and subscriptions the service holds now, per provider.</summary>
    public int ChannelCount(string provider) => _accounts.Values.Where(a => a.Provider == provider).Sum(a => { lock (a.Gate) { return a.Channels.Count; } });

    public static async Task<FakeProviders> StartAsync(FakeBehaviour behaviour)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        var fakes = new FakeProviders(app, behaviour);
        fakes.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fakes.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return fakes;
    }

    /// <summary>The service's settings that point it at these fakes (environment variable names).</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings()
    {
        var b = BaseAddress.AbsoluteUri.TrimEnd('/');
        return new Dictionary<string, string>
        {
            ["Calendar__Google__ClientId"] = ClientId,
            ["Calendar__Google__ClientSecret"] = ClientSecret,
            ["Calendar__Google__AuthorizationEndpoint"] = $"{b}/google/o/oauth2/v2/auth",
            ["Calendar__Google__TokenEndpoint"] = $"{b}/google/token",
            ["Calendar__Google__RevocationEndpoint"] = $"{b}/google/revoke",
            ["Calendar__Google__ApiBaseUrl"] = $"{b}/google/calendar/v3",
            ["Calendar__Outlook__ClientId"] = ClientId,
            ["Calendar__Outlook__ClientSecret"] = ClientSecret,
            ["Calendar__Outlook__Authority"] = $"{b}/microsoft/common",
            ["Calendar__Outlook__GraphBaseUrl"] = $"{b}/graph/v1.0",
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _push.Dispose();
        _pushGate.Dispose();
    }

    // ---- The user, acting in the calendar ----

    /// <summary>The user moves the event in the calendar (as in Google Calendar or Outlook): applied, logged and pushed.</summary>
    public bool MoveAsUser(FakeAccount account, string eventId, DateTimeOffset start)
    {
        FakeEvent? changed;
        lock (account.Gate)
        {
            if (!account.Events.TryGetValue(eventId, out changed) || changed.Deleted)
            {
                return false;
            }

            var length = changed.End - changed.Start;
            changed.Start = start;
            changed.End = start + length;
            changed.Sequence = ++account.Sequence;
        }

        Record(account, changed, ChangeKind.Updated, ChangeSource.User);
        return true;
    }

    /// <summary>The user deletes the event in the calendar.</summary>
    public bool DeleteAsUser(FakeAccount account, string eventId)
    {
        FakeEvent? changed;
        lock (account.Gate)
        {
            if (!account.Events.TryGetValue(eventId, out changed) || changed.Deleted)
            {
                return false;
            }

            changed.Deleted = true;
            changed.Sequence = ++account.Sequence;
        }

        Record(account, changed, ChangeKind.Deleted, ChangeSource.User);
        return true;
    }

    /// <summary>The live event of an interview in an account's calendar.</summary>
    public static FakeEvent? EventOf(FakeAccount account, Guid interviewId)
    {
        lock (account.Gate)
        {
            return account.Events.Values.FirstOrDefault(e => !e.Deleted && e.InterviewId == interviewId);
        }
    }

    /// <summary>Duplicates: beyond the first, the distinct events ever created for one interview in one calendar.</summary>
    public int Duplicates(Func<FakeAccount, bool>? accounts = null) =>
        _accounts.Values.Where(a => accounts?.Invoke(a) ?? true).Sum(a => { lock (a.Gate) { return a.CreatedFor.Values.Sum(ids => ids.Count - 1); } });

    public int DeduplicatedCreates => _accounts.Values.Sum(a => { lock (a.Gate) { return a.DeduplicatedCreates; } });

    // ---- Routes ----

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var now = Interlocked.Increment(ref _inFlight);
            Interlocked.Increment(ref _calls);
            int peak;
            while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak)
            {
            }

            try
            {
                if (Behaviour.Latency > TimeSpan.Zero)
                {
                    await Task.Delay(Behaviour.Latency, context.RequestAborted);
                }

                if (ShouldFail(context, out var failure))
                {
                    Interlocked.Increment(ref _failedCalls);
                    await failure(context);
                    return;
                }

                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The service gave up on the call.
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        });

        // Google OAuth
        app.MapGet("/google/o/oauth2/v2/auth", context => Authorize(context, Providers.Google));
        app.MapPost("/google/token", context => Token(context, Providers.Google));
        app.MapPost("/google/revoke", context =>
        {
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        });

        // Microsoft identity platform
        app.MapGet("/microsoft/common/oauth2/v2.0/authorize", context => Authorize(context, Providers.Microsoft));
        app.MapPost("/microsoft/common/oauth2/v2.0/token", context => Token(context, Providers.Microsoft));

        // Google Calendar v3
        const string g = "/google/calendar/v3";
        app.MapPost($"{g}/calendars/primary/events/watch", GoogleWatch);
        app.MapPost($"{g}/channels/stop", GoogleStop);
        app.MapPost($"{g}/calendars/primary/events", GoogleInsert);
        app.MapGet($"{g}/calendars/primary/events", GoogleList);
        app.MapGet($"{g}/calendars/primary/events/{{id}}", (HttpContext c, string id) => GoogleGet(c, id));
        app.MapPut($"{g}/calendars/primary/events/{{id}}", (HttpContext c, string id) => GoogleUpdate(c, id, patch: false));
        app.MapPatch($"{g}/calendars/primary/events/{{id}}", (HttpContext c, string id) => GoogleUpdate(c, id, patch: true));
        app.MapDelete($"{g}/calendars/primary/events/{{id}}", (HttpContext c, string id) => GoogleDelete(c, id));

        // Microsoft Graph
        const string m = "/graph/v1.0";
        app.MapPost($"{m}/me/events", GraphCreate);
        app.MapGet($"{m}/me/events", GraphFind);
        app.MapGet($"{m}/me/events/{{id}}", (HttpContext c, string id) => GraphGet(c, id));
        app.MapPatch($"{m}/me/events/{{id}}", (HttpContext c, string id) => GraphUpdate(c, id));
        app.MapDelete($"{m}/me/events/{{id}}", (HttpContext c, string id) => GraphDelete(c, id));
        // The Graph SDK calls the delta function with its parentheses; the links it is given back have none.
        app.MapGet($"{m}/me/calendarView/delta()", GraphDelta);
        app.MapGet($"{m}/me/calendarView/delta", GraphDelta);
        app.MapPost($"{m}/subscriptions", GraphSubscribe);
        app.MapPatch($"{m}/subscriptions/{{id}}", (HttpContext c, string id) => GraphRenew(c, id));
        app.MapDelete($"{m}/subscriptions/{{id}}", (HttpContext c, string id) => GraphUnsubscribe(c, id));
    }

    /// <summary>A failing user's calendar API call to the failing provider: 503, or 429 with Retry-After.</summary>
    private bool ShouldFail(HttpContext context, out Func<HttpContext, Task> failure)
    {
        failure = null!;
        var path = context.Request.Path.Value ?? "";
        var provider = path.StartsWith("/google/calendar", StringComparison.Ordinal) ? Providers.Google
            : path.StartsWith("/graph/", StringComparison.Ordinal) ? Providers.Microsoft
            : null;
        if (provider is null || provider != Behaviour.FailingProvider || Behaviour.FailingAccounts.Count == 0
            || Caller(context, provider) is not { } account || !Behaviour.FailingAccounts.Contains(account.Index))
        {
            return false;
        }

        var throttle = Behaviour.FailureKind switch
        {
            "429" => true,
            "503" => false,
            _ => Interlocked.Read(ref _failedCalls) % 2 == 0,
        };
        var retryAfter = Behaviour.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        failure = async c =>
        {
            c.Response.StatusCode = throttle ? 429 : 503;
            if (throttle)
            {
                c.Response.Headers.RetryAfter = retryAfter;
            }

            var body = provider == Providers.Google
                ? new JsonObject { ["error"] = new JsonObject { ["code"] = c.Response.StatusCode, ["message"] = throttle ? "Rate Limit Exceeded" : "Backend Error", ["errors"] = new JsonArray(new JsonObject { ["reason"] = throttle ? "rateLimitExceeded" : "backendError" }) } }
                : new JsonObject { ["error"] = new JsonObject { ["code"] = throttle ? "ApplicationThrottled" : "ServiceNotAvailable", ["message"] = throttle ? "Application is over its MailboxConcurrency limit." : "Service unavailable." } };
            await Json(c, body, c.Response.StatusCode);
        };
        return true;
    }

    private FakeAccount? Caller(HttpContext context, string provider)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.TryGetValue(header["Bearer ".Length..], out var account) && account.Provider == provider
            ? account
            : null;
    }

    // ---- OAuth ----

    /// <summary>The consent screen: the harness, as the browser, names the account in <c>login_hint</c> (a number); the answer redirects with a code.</summary>
    private async Task Authorize(HttpContext context, string provider)
    {
        var q = context.Request.Query;
        if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256"
            || string.IsNullOrEmpty(q["code_challenge"]) || string.IsNullOrEmpty(q["state"]) || string.IsNullOrEmpty(q["redirect_uri"])
            || !int.TryParse(q["login_hint"], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            await Json(context, new JsonObject { ["error"] = "invalid_request" }, 400);
            return;
        }

        var account = _accounts.GetOrAdd((provider, index), key => new FakeAccount(provider, key.Index, $"user{key.Index}@{provider}.bench"));
        var code = Secret();
        _codes[code] = (account, q["code_challenge"].ToString(), q["redirect_uri"].ToString());
        context.Response.Redirect(QueryHelpers.AddQueryString(q["redirect_uri"].ToString(), new Dictionary<string, string?> { ["code"] = code, ["state"] = q["state"].ToString() }));
    }

    private async Task Token(HttpContext context, string provider)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            await Json(context, new JsonObject { ["error"] = "invalid_client" }, 401);
            return;
        }

        FakeAccount account;
        var newRefresh = true;
        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                var verifier = form["code_verifier"].ToString();
                if (!_codes.TryRemove(form["code"].ToString(), out var grant) || grant.Account.Provider != provider || grant.RedirectUri != form["redirect_uri"]
                    || WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge)
                {
                    await Json(context, new JsonObject { ["error"] = "invalid_grant" }, 400);
                    return;
                }

                account = grant.Account;
                break;
            case "refresh_token":
                if (!_refreshTokens.TryGetValue(form["refresh_token"].ToString(), out var found) || found.Provider != provider)
                {
                    await Json(context, new JsonObject { ["error"] = "invalid_grant" }, 400);
                    return;
                }

                account = found;
                // Google keeps the refresh token; the Microsoft identity platform rotates it.
                newRefresh = provider == Providers.Microsoft;
                break;
            default:
                await Json(context, new JsonObject { ["error"] = "unsupported_grant_type" }, 400);
                return;
        }

        var access = Secret();
        _accessTokens[access] = account;
        var answer = new JsonObject
        {
            ["access_token"] = access,
            ["token_type"] = "Bearer",
            ["expires_in"] = 3600,
            ["scope"] = provider == Providers.Google ? "openid email https://www.googleapis.com/auth/calendar.events" : "openid email offline_access Calendars.ReadWrite",
            ["id_token"] = IdToken(account),
        };
        if (newRefresh)
        {
            var refresh = Secret();
            _refreshTokens[refresh] = account;
            answer["refresh_token"] = refresh;
        }

        await Json(context, answer);
    }

    private static string IdToken(FakeAccount account)
    {
        static string Part(JsonObject o) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(o.ToJsonString()));
        var payload = new JsonObject { ["sub"] = account.UserId.ToString("D"), ["email"] = account.Email, ["preferred_username"] = account.Email };
        return $"{Part(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" })}.{Part(payload)}.c2lnbmF0dXJl";
    }

    // ---- Google Calendar ----

    private async Task GoogleInsert(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Google) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        var id = body?["id"]?.GetValue<string>() ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(13));
        FakeEvent created;
        lock (account.Gate)
        {
            if (account.Events.ContainsKey(id))
            {
                created = null!;
            }
            else
            {
                created = new FakeEvent(id);
                ApplyGoogle(created, body!);
                created.Sequence = ++account.Sequence;
                account.Events[id] = created;
                if (created.InterviewId is { } interview)
                {
                    (account.CreatedFor.TryGetValue(interview, out var ids) ? ids : account.CreatedFor[interview] = new HashSet<string>(StringComparer.Ordinal)).Add(id);
                }
            }
        }

        if (created is null)
        {
            await Json(context, GoogleError(409, "duplicate", "The requested identifier already exists."), 409);
            return;
        }

        Record(account, created, ChangeKind.Created, ChangeSource.Service);
        await Json(context, GoogleEvent(created));
    }

    private async Task GoogleUpdate(HttpContext context, string id, bool patch)
    {
        if (await CallerOr401(context, Providers.Google) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        FakeEvent? changed;
        bool restored;
        lock (account.Gate)
        {
            if (account.Events.TryGetValue(id, out changed))
            {
                restored = changed.Deleted;
                ApplyGoogle(changed, body!, patch);
                changed.Sequence = ++account.Sequence;
            }
            else
            {
                restored = false;
            }
        }

        if (changed is null)
        {
            await Json(context, GoogleError(404, "notFound", "Not Found"), 404);
            return;
        }

        Record(account, changed, restored ? ChangeKind.Created : ChangeKind.Updated, ChangeSource.Service);
        await Json(context, GoogleEvent(changed));
    }

    private async Task GoogleDelete(HttpContext context, string id)
    {
        if (await CallerOr401(context, Providers.Google) is not { } account)
        {
            return;
        }

        FakeEvent? deleted = null;
        var status = 204;
        lock (account.Gate)
        {
            if (!account.Events.TryGetValue(id, out var found))
            {
                status = 404;
            }
            else if (found.Deleted)
            {
                status = 410;
            }
            else
            {
                found.Deleted = true;
                found.Sequence = ++account.Sequence;
                deleted = found;
            }
        }

        if (deleted is null)
        {
            await Json(context, GoogleError(status, status == 404 ? "notFound" : "deleted", status == 404 ? "Not Found" : "Resource has been deleted"), status);
            return;
        }

        Record(account, deleted, ChangeKind.Deleted, ChangeSource.Service);
        context.Response.StatusCode = 204;
    }

    private async Task GoogleGet(HttpContext context, string id)
    {
        if (await CallerOr401(context, Providers.Google) is not { } account)
        {
            return;
        }

        FakeEvent? found;
        lock (account.Gate)
        {
            found = account.Events.GetValueOrDefault(id);
        }

        await (found is null ? Json(context, GoogleError(404, "notFound", "Not Found"), 404) : Json(context, GoogleEvent(found)));
    }

    /// <summary>events.list: everything (a first read), or what changed after the sync token's sequence; pages of maxResults.</summary>
    private async Task GoogleList(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Google) is not { } account)
        {
            return;
        }

        var q = context.Request.Query;
        var max = int.TryParse(q["maxResults"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is > 0 and <= 2500 ? m : 250;
        var showDeleted = q["showDeleted"] == "true";
        long since = -1;
        var offset = 0;
        long asOf;
        if (q["pageToken"].ToString() is { Length: > 0 } pageToken)
        {
            // "since:offset:asOf"
            var parts = pageToken.Split(':');
            since = long.Parse(parts[0], CultureInfo.InvariantCulture);
            offset = int.Parse(parts[1], CultureInfo.InvariantCulture);
            asOf = long.Parse(parts[2], CultureInfo.InvariantCulture);
        }
        else
        {
            if (q["syncToken"].ToString() is { Length: > 0 } syncToken)
            {
                lock (account.Gate)
                {
                    if (!long.TryParse(syncToken, NumberStyles.None, CultureInfo.InvariantCulture, out since) || since > account.Sequence)
                    {
                        since = -2;
                    }
                }

                if (since == -2)
                {
                    await Json(context, GoogleError(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."), 410);
                    return;
                }
            }

            lock (account.Gate)
            {
                asOf = account.Sequence;
            }

            _reads.Enqueue((RunClock.Now, Providers.Google, account.Index, since < 0));
        }

        List<FakeEvent> items;
        lock (account.Gate)
        {
            items = [.. account.Events.Values
                .Where(e => since < 0 ? (showDeleted || !e.Deleted) : e.Sequence > since)
                .OrderBy(e => e.Sequence).ThenBy(e => e.Id, StringComparer.Ordinal)
                .Skip(offset).Take(max + 1)];
        }

        var page = new JsonObject { ["kind"] = "calendar#events", ["items"] = new JsonArray([.. items.Take(max).Select(e => (JsonNode)GoogleEvent(e))]) };
        if (items.Count > max)
        {
            page["nextPageToken"] = string.Create(CultureInfo.InvariantCulture, $"{since}:{offset + max}:{asOf}");
        }
        else
        {
            // Changes made while paging come again after this token: never lost, possibly read twice.
            page["nextSyncToken"] = asOf.ToString(CultureInfo.InvariantCulture);
        }

        await Json(context, page);
    }

    /// <summary>events.watch: a channel on the calendar's events; the "sync" message follows, as Google sends it.</summary>
    private async Task GoogleWatch(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Google) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        var id = body?["id"]?.GetValue<string>();
        var address = body?["address"]?.GetValue<string>();
        if (id is null || address is null || body?["type"]?.GetValue<string>() is not ("web_hook" or "webhook"))
        {
            await Json(context, GoogleError(400, "invalid", "Channel id, type web_hook and address are required."), 400);
            return;
        }

        var requested = body?["expiration"] is { } e && long.TryParse(e.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        var longest = DateTimeOffset.UtcNow.AddDays(7);
        var channel = new PushChannel(id, address, body?["token"]?.GetValue<string>(), requested is { } r && r < longest ? r : longest)
        {
            ResourceId = "res-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
        };
        lock (account.Gate)
        {
            if (account.Channels.Any(c => c.Id == id))
            {
                channel = null;
            }
            else
            {
                account.Channels.Add(channel);
            }
        }

        if (channel is null)
        {
            await Json(context, GoogleError(400, "channelIdNotUnique", "Channel id not unique."), 400);
            return;
        }

        await Json(context, new JsonObject
        {
            ["kind"] = "api#channel",
            ["id"] = channel.Id,
            ["resourceId"] = channel.ResourceId,
            ["resourceUri"] = $"{BaseAddress.AbsoluteUri.TrimEnd('/')}/google/calendar/v3/calendars/primary/events?alt=json",
            ["token"] = channel.Token,
            ["expiration"] = channel.Expiration.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        });
        _ = PushGoogleAsync(account, channel, "sync");
    }

    private async Task GoogleStop(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Google) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        var id = body?["id"]?.GetValue<string>();
        var resourceId = body?["resourceId"]?.GetValue<string>();
        int removed;
        lock (account.Gate)
        {
            removed = account.Channels.RemoveAll(c => c.Id == id && c.ResourceId == resourceId);
        }

        if (removed == 0)
        {
            await Json(context, GoogleError(404, "notFound", $"Channel '{id}' not found for project"), 404);
            return;
        }

        context.Response.StatusCode = 204;
    }

    private static void ApplyGoogle(FakeEvent target, JsonNode body, bool patch = false)
    {
        if (body["start"] is { } start || !patch)
        {
            target.Start = GoogleTime(body["start"]);
        }

        if (body["end"] is { } end || !patch)
        {
            target.End = GoogleTime(body["end"]);
        }

        if (body["summary"]?.GetValue<string>() is { } summary)
        {
            target.Subject = summary;
        }

        if (body["extendedProperties"]?["private"] is JsonObject properties)
        {
            foreach (var (key, value) in properties)
            {
                target.Properties[key] = value?.GetValue<string>() ?? "";
            }
        }

        if (target.Properties.TryGetValue("interviewsInterviewId", out var tagged) && Guid.TryParse(tagged, out var interview))
        {
            target.InterviewId = interview;
        }

        target.Deleted = body["status"]?.GetValue<string>() == "cancelled" || (patch && target.Deleted && body["status"] is null);
    }

    private static DateTimeOffset GoogleTime(JsonNode? time) =>
        time?["dateTime"]?.GetValue<string>() is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime()
            : DateTimeOffset.MinValue;

    private static JsonObject GoogleEvent(FakeEvent e)
    {
        var item = new JsonObject { ["kind"] = "calendar#event", ["id"] = e.Id, ["status"] = e.Deleted ? "cancelled" : "confirmed" };
        if (!e.Deleted)
        {
            item["summary"] = e.Subject;
            item["start"] = new JsonObject { ["dateTime"] = Utc(e.Start) };
            item["end"] = new JsonObject { ["dateTime"] = Utc(e.End) };
        }

        var properties = new JsonObject();
        foreach (var (key, value) in e.Properties)
        {
            properties[key] = value;
        }

        item["extendedProperties"] = new JsonObject { ["private"] = properties };
        return item;
    }

    private static JsonObject GoogleError(int code, string reason, string message) =>
        new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["errors"] = new JsonArray(new JsonObject { ["reason"] = reason, ["message"] = message }) } };

    /// <summary>A Google push message: headers only, an empty body.</summary>
    private async Task PushGoogleAsync(FakeAccount account, PushChannel channel, string state)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Address) { Content = new ByteArrayContent([]) };
        request.Headers.Add("X-Goog-Channel-ID", channel.Id);
        if (channel.Token is not null)
        {
            request.Headers.Add("X-Goog-Channel-Token", channel.Token);
        }

        request.Headers.Add("X-Goog-Resource-ID", channel.ResourceId);
        request.Headers.Add("X-Goog-Resource-URI", $"{BaseAddress.AbsoluteUri.TrimEnd('/')}/google/calendar/v3/calendars/primary/events?alt=json");
        request.Headers.Add("X-Goog-Resource-State", state);
        request.Headers.Add("X-Goog-Message-Number", channel.NextMessageNumber().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-Goog-Channel-Expiration", channel.Expiration.ToString("R", CultureInfo.InvariantCulture));
        await SendPushAsync(request);
    }

    // ---- Microsoft Graph ----

    private async Task GraphCreate(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        var transaction = body?["transactionId"]?.GetValue<string>();
        FakeEvent? existing;
        FakeEvent? created = null;
        lock (account.Gate)
        {
            existing = transaction is null ? null : account.Events.Values.FirstOrDefault(e => !e.Deleted && e.TransactionId == transaction);
            if (existing is not null)
            {
                account.DeduplicatedCreates++;
            }
            else
            {
                created = new FakeEvent("AAMkAD" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
                ApplyGraph(created, body!);
                created.TransactionId = transaction;
                foreach (var property in body?["singleValueExtendedProperties"]?.AsArray() ?? [])
                {
                    if (property?["value"]?.GetValue<string>() is { } value && Guid.TryParse(value, out var interview))
                    {
                        created.InterviewId = interview;
                    }
                }

                created.Sequence = ++account.Sequence;
                account.Events[created.Id] = created;
                if (created.InterviewId is { } id)
                {
                    (account.CreatedFor.TryGetValue(id, out var ids) ? ids : account.CreatedFor[id] = new HashSet<string>(StringComparer.Ordinal)).Add(created.Id);
                }
            }
        }

        if (created is not null)
        {
            Record(account, created, ChangeKind.Created, ChangeSource.Service);
        }

        await Json(context, GraphEvent(created ?? existing!), 201);
    }

    /// <summary>GET /me/events?$filter=singleValueExtendedProperties/Any(… ep/value eq '{interview}'): the events tagged with that interview.</summary>
    private async Task GraphFind(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        var filter = context.Request.Query["$filter"].ToString();
        var match = TaggedValue().Match(filter);
        List<FakeEvent> found;
        lock (account.Gate)
        {
            found = match.Success && Guid.TryParse(match.Groups[1].Value, out var interview)
                ? [.. account.Events.Values.Where(e => !e.Deleted && e.InterviewId == interview)]
                : [.. account.Events.Values.Where(e => !e.Deleted)];
        }

        await Json(context, new JsonObject { ["value"] = new JsonArray([.. found.Select(e => (JsonNode)new JsonObject { ["id"] = e.Id })]) });
    }

    private async Task GraphGet(HttpContext context, string id)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        FakeEvent? found;
        lock (account.Gate)
        {
            found = account.Events.GetValueOrDefault(id) is { Deleted: false } e ? e : null;
        }

        await (found is null ? GraphNotFound(context) : Json(context, GraphEvent(found)));
    }

    private async Task GraphUpdate(HttpContext context, string id)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        FakeEvent? changed;
        lock (account.Gate)
        {
            changed = account.Events.GetValueOrDefault(id) is { Deleted: false } e ? e : null;
            if (changed is not null)
            {
                ApplyGraph(changed, body!);
                changed.Sequence = ++account.Sequence;
            }
        }

        if (changed is null)
        {
            await GraphNotFound(context);
            return;
        }

        Record(account, changed, ChangeKind.Updated, ChangeSource.Service);
        await Json(context, GraphEvent(changed));
    }

    private async Task GraphDelete(HttpContext context, string id)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        FakeEvent? deleted;
        lock (account.Gate)
        {
            deleted = account.Events.GetValueOrDefault(id) is { Deleted: false } e ? e : null;
            if (deleted is not null)
            {
                deleted.Deleted = true;
                deleted.Sequence = ++account.Sequence;
            }
        }

        if (deleted is null)
        {
            await GraphNotFound(context);
            return;
        }

        Record(account, deleted, ChangeKind.Deleted, ChangeSource.Service);
        context.Response.StatusCode = 204;
    }

    /// <summary>calendarView/delta: the window's events (a first read), or the changes after a delta token; pages of 100 with nextLink.</summary>
    private async Task GraphDelta(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        var q = context.Request.Query;
        var b = $"{BaseAddress.AbsoluteUri.TrimEnd('/')}/graph/v1.0/me/calendarView/delta";
        long since;
        var offset = 0;
        long asOf;
        if (q["$skiptoken"].ToString() is { Length: > 0 } skip)
        {
            var parts = skip.Split('.');
            since = long.Parse(parts[0], CultureInfo.InvariantCulture);
            offset = int.Parse(parts[1], CultureInfo.InvariantCulture);
            asOf = long.Parse(parts[2], CultureInfo.InvariantCulture);
        }
        else
        {
            since = -1;
            if (q["$deltatoken"].ToString() is { Length: > 0 } delta)
            {
                lock (account.Gate)
                {
                    since = long.TryParse(delta, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s <= account.Sequence ? s : -2;
                }

                if (since == -2)
                {
                    await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = "SyncStateNotFound", ["message"] = "The sync state is not found." } }, 410);
                    return;
                }
            }
            else if (string.IsNullOrEmpty(q["startDateTime"]) || string.IsNullOrEmpty(q["endDateTime"]))
            {
                await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = "ErrorInvalidParameter", ["message"] = "startDateTime and endDateTime are required." } }, 400);
                return;
            }

            lock (account.Gate)
            {
                asOf = account.Sequence;
            }

            _reads.Enqueue((RunClock.Now, Providers.Microsoft, account.Index, since < 0));
        }

        const int pageSize = 100;
        List<FakeEvent> items;
        lock (account.Gate)
        {
            items = [.. account.Events.Values
                .Where(e => since < 0 ? !e.Deleted : e.Sequence > since)
                .OrderBy(e => e.Sequence).ThenBy(e => e.Id, StringComparer.Ordinal)
                .Skip(offset).Take(pageSize + 1)];
        }

        var page = new JsonObject
        {
            ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
            ["value"] = new JsonArray([.. items.Take(pageSize).Select(e => (JsonNode)(e.Deleted
                ? new JsonObject { ["@odata.type"] = "#microsoft.graph.event", ["id"] = e.Id, ["@removed"] = new JsonObject { ["reason"] = "deleted" } }
                : GraphEvent(e)))]),
        };
        if (items.Count > pageSize)
        {
            page["@odata.nextLink"] = string.Create(CultureInfo.InvariantCulture, $"{b}?$skiptoken={since}.{offset + pageSize}.{asOf}");
        }
        else
        {
            page["@odata.deltaLink"] = string.Create(CultureInfo.InvariantCulture, $"{b}?$deltatoken={asOf}");
        }

        await Json(context, page);
    }

    /// <summary>POST /subscriptions: the notification URL (and the lifecycle URL) must echo a validationToken within 10 s first.</summary>
    private async Task GraphSubscribe(HttpContext context)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        var url = body?["notificationUrl"]?.GetValue<string>();
        var lifecycle = body?["lifecycleNotificationUrl"]?.GetValue<string>();
        var resource = body?["resource"]?.GetValue<string>();
        var changeType = body?["changeType"]?.GetValue<string>() ?? "";
        var expiration = body?["expirationDateTime"]?.GetValue<string>() is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : DateTimeOffset.UtcNow.AddDays(3);
        if (url is null || resource is null || changeType.Length == 0)
        {
            await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = "InvalidRequest", ["message"] = "notificationUrl, resource and changeType are required." } }, 400);
            return;
        }

        foreach (var address in new[] { url, lifecycle }.OfType<string>())
        {
            if (!await ValidateAsync(address))
            {
                await Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = "ValidationError", ["message"] = $"Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request: {address}" } }, 400);
                return;
            }
        }

        var subscription = new PushChannel(Guid.NewGuid().ToString("D"), url, body?["clientState"]?.GetValue<string>(), expiration)
        {
            ResourceId = resource,
            LifecycleAddress = lifecycle,
            ChangeTypes = changeType,
        };
        lock (account.Gate)
        {
            account.Channels.Add(subscription);
        }

        await Json(context, Subscription(subscription), 201);
    }

    private async Task GraphRenew(HttpContext context, string id)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        var body = await ReadJson(context);
        PushChannel? found;
        lock (account.Gate)
        {
            found = account.Channels.FirstOrDefault(c => c.Id == id);
            if (found is not null && body?["expirationDateTime"]?.GetValue<string>() is { } text)
            {
                found.Expiration = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
            }
        }

        await (found is null ? GraphNotFound(context) : Json(context, Subscription(found)));
    }

    private async Task GraphUnsubscribe(HttpContext context, string id)
    {
        if (await CallerOr401(context, Providers.Microsoft) is not { } account)
        {
            return;
        }

        int removed;
        lock (account.Gate)
        {
            removed = account.Channels.RemoveAll(c => c.Id == id);
        }

        if (removed == 0)
        {
            await GraphNotFound(context);
            return;
        }

        context.Response.StatusCode = 204;
    }

    private async Task<bool> ValidateAsync(string address)
    {
        Interlocked.Increment(ref _validations);
        var token = "Validation: Testing client application reachability for subscription Request-Id: " + Guid.NewGuid().ToString("D");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var request = new HttpRequestMessage(HttpMethod.Post, QueryHelpers.AddQueryString(address, "validationToken", token)) { Content = new StringContent("", Encoding.UTF8, "text/plain") };
            using var response = await _push.SendAsync(request, timeout.Token);
            var echoed = await response.Content.ReadAsStringAsync(timeout.Token);
            var ok = response.StatusCode == HttpStatusCode.OK && echoed == token
                && response.Content.Headers.ContentType?.MediaType == "text/plain";
            if (!ok)
            {
                Interlocked.Increment(ref _validationsFailed);
            }

            return ok;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            Interlocked.Increment(ref _validationsFailed);
            return false;
        }
    }

    private static JsonObject Subscription(PushChannel s) => new()
    {
        ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
        ["id"] = s.Id,
        ["resource"] = s.ResourceId,
        ["applicationId"] = ClientId,
        ["changeType"] = s.ChangeTypes,
        ["clientState"] = s.Token,
        ["notificationUrl"] = s.Address,
        ["lifecycleNotificationUrl"] = s.LifecycleAddress,
        ["expirationDateTime"] = s.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        ["creatorId"] = Guid.Empty.ToString("D"),
        ["latestSupportedTlsVersion"] = "v1_2",
    };

    private static void ApplyGraph(FakeEvent target, JsonNode body)
    {
        if (body["start"] is { } start)
        {
            target.Start = GraphTime(start);
        }

        if (body["end"] is { } end)
        {
            target.End = GraphTime(end);
        }

        if (body["subject"]?.GetValue<string>() is { } subject)
        {
            target.Subject = subject;
        }
    }

    /// <summary>A Graph dateTimeTimeZone: the wall-clock time in a Windows (or IANA) zone.</summary>
    private static DateTimeOffset GraphTime(JsonNode time)
    {
        var local = DateTime.Parse(time["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None);
        var zoneName = time["timeZone"]?.GetValue<string>() ?? "UTC";
        var zone = zoneName is "UTC" or "Etc/UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zoneName);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static JsonObject GraphEvent(FakeEvent e) => new()
    {
        ["@odata.type"] = "#microsoft.graph.event",
        ["id"] = e.Id,
        ["subject"] = e.Subject,
        ["transactionId"] = e.TransactionId,
        ["start"] = new JsonObject { ["dateTime"] = e.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" },
        ["end"] = new JsonObject { ["dateTime"] = e.End.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" },
    };

    private static Task GraphNotFound(HttpContext context) =>
        Json(context, new JsonObject { ["error"] = new JsonObject { ["code"] = "ErrorItemNotFound", ["message"] = "The specified object was not found in the store." } }, 404);

    /// <summary>A Graph change notification, as Graph posts it.</summary>
    private async Task PushGraphAsync(FakeAccount account, PushChannel subscription, FakeEvent changed, ChangeKind kind)
    {
        var changeType = kind switch { ChangeKind.Created => "created", ChangeKind.Deleted => "deleted", _ => "updated" };
        if (!subscription.ChangeTypes.Split(',').Contains(changeType, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        var resource = $"Users/{account.UserId:D}/Events/{changed.Id}";
        var body = new JsonObject
        {
            ["value"] = new JsonArray(new JsonObject
            {
                ["subscriptionId"] = subscription.Id,
                ["subscriptionExpirationDateTime"] = subscription.Expiration.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture),
                ["changeType"] = changeType,
                ["resource"] = resource,
                ["resourceData"] = new JsonObject
                {
                    ["@odata.type"] = "#Microsoft.Graph.Event",
                    ["@odata.id"] = resource,
                    ["@odata.etag"] = $"W/\"{changed.Sequence.ToString(CultureInfo.InvariantCulture)}\"",
                    ["id"] = changed.Id,
                },
                ["clientState"] = subscription.Token,
                ["tenantId"] = "9188040d-6c67-4c5b-b112-36a304b66dad",
            }),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Address) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        await SendPushAsync(request);
    }

    // ---- Changes: log and push ----

    private void Record(FakeAccount account, FakeEvent e, ChangeKind kind, ChangeSource source)
    {
        var record = new CalendarChangeRecord(RunClock.Now, account.Provider, account.Index, e.Id, e.InterviewId, kind, kind == ChangeKind.Deleted ? null : e.Start, source);
        _changes.Enqueue(record);
        Changed?.Invoke(record);
        if (!PushEnabled)
        {
            return;
        }

        PushChannel[] channels;
        lock (account.Gate)
        {
            channels = [.. account.Channels];
        }

        foreach (var channel in channels)
        {
            _ = account.Provider == Providers.Google ? PushGoogleAsync(account, channel, "exists") : PushGraphAsync(account, channel, e, kind);
        }
    }

    private async Task SendPushAsync(HttpRequestMessage request)
    {
        await _pushGate.WaitAsync();
        try
        {
            using var response = await _push.SendAsync(request);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _pushSent);
            }
            else
            {
                Interlocked.Increment(ref _pushFailed);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            Interlocked.Increment(ref _pushFailed);
        }
        finally
        {
            _pushGate.Release();
            request.Dispose();
        }
    }

    // ---- Plumbing ----

    private async Task<FakeAccount?> CallerOr401(HttpContext context, string provider)
    {
        if (Caller(context, provider) is { } account)
        {
            return account;
        }

        await Json(context, provider == Providers.Google
            ? GoogleError(401, "authError", "Invalid Credentials")
            : new JsonObject { ["error"] = new JsonObject { ["code"] = "InvalidAuthenticationToken", ["message"] = "Access token is empty or invalid." } }, 401);
        return null;
    }

    private static async Task<JsonNode?> ReadJson(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task Json(HttpContext context, JsonNode body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Secret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));

    [GeneratedRegex(@"ep/value eq '([0-9a-fA-F-]{36})'")]
    private static partial Regex TaggedValue();
}
