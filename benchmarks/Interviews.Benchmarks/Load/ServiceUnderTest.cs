using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.LocalHost;
using Microsoft.Extensions.Configuration;

namespace Interviews.Benchmarks.Load;

/// <summary>A user of the service: a development token with an e-mail address.</summary>
internal sealed record BenchUser(int Index, Guid Id, string Email, string Token);

/// <summary>
/// Interviews.LocalHost as a child process (<see cref="LocalHostProcess"/>: the Release build, a free
/// loopback port) over its own data folder, with settings given as environment variables, and the
/// HTTP calls the scenarios make to it as its users would.
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly LocalHostProcess _host;
    private readonly HttpClient _api;
    private readonly HttpClient _browser;
    private readonly DevelopmentTokens _tokens;
    private int _disposed;

    private ServiceUnderTest(LocalHostProcess host, DevelopmentTokens tokens, string dataFolder)
    {
        _host = host;
        _tokens = tokens;
        DataFolder = dataFolder;
        _api = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = 64,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        _browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress => _host.BaseAddress;

    public int Port => _host.BaseAddress.Port;

    public string DataFolder { get; }

    public string DatabasePath => Path.Combine(DataFolder, "interviews.db");

    public int ProcessId => _host.Id;

    public long PeakResidentBytes() => _host.PeakResidentBytes();

    /// <summary>
    /// Starts LocalHost over <paramref name="dataFolder"/> (kept if it exists: a restart sees the same data),
    /// on <paramref name="port"/> (a restart keeps the URLs the providers were given) or a free one,
    /// with <paramref name="settings"/>, the <c>--setting</c> options, and its own public URLs on its port:
    /// <c>Calendar:OAuthRedirectBaseUrl</c>, <c>Calendar:FeedBaseUrl</c> and
    /// <c>Calendar:WebhookBaseUrl</c> (where the providers' push notifications go); the HttpClient
    /// factory's per-request logging at Warning.
    /// </summary>
    public static async Task<ServiceUnderTest> StartAsync(LoadContext context, string dataFolder, IReadOnlyDictionary<string, string> settings, int? port, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataFolder);
        var baseline = Path.Combine(dataFolder, "baseline.json");
        await File.WriteAllTextAsync(baseline, "[]", cancellationToken);
        port ??= LocalHostProcess.FreePort();
        var self = $"http://127.0.0.1:{port.Value.ToString(CultureInfo.InvariantCulture)}";
        var environment = new Dictionary<string, string>
        {
            ["Calendar__OAuthRedirectBaseUrl"] = self,
            ["Calendar__ConsentResultRedirectUrl"] = $"{self}/calendar-connected",
            ["Calendar__FeedBaseUrl"] = self,
            ["Calendar__WebhookBaseUrl"] = self,
            // Four console lines per provider call (the HttpClient factory's own logging) are not the service's work.
            ["Logging__LogLevel__System.Net.Http.HttpClient"] = "Warning",
        };
        foreach (var (key, value) in settings.Concat(context.Options.ExtraSettings))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var log = Path.Combine(dataFolder, $"localhost-{DateTime.UtcNow:HHmmss}.log");
        var host = await LocalHostProcess.StartAsync(context.LocalHostDll, Path.Combine(dataFolder, "interviews.db"), baseline, log, environment, port, cancellationToken);
        var tokens = DevelopmentTokens.From(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Path.GetDirectoryName(context.LocalHostDll)!, "appsettings.json"))
            .Build());
        return new ServiceUnderTest(host, tokens, dataFolder);
    }

    /// <summary>The <paramref name="index"/>-th user (the same token subject, id and address in every run).</summary>
    public BenchUser User(int index)
    {
        var subject = $"load-user-{index.ToString(CultureInfo.InvariantCulture)}";
        var email = $"user{index.ToString(CultureInfo.InvariantCulture)}@bench.example";
        return new BenchUser(index, DevelopmentTokens.UserIdOf(subject), email, _tokens.Mint(subject, email, DateTimeOffset.UtcNow, TimeSpan.FromHours(6)));
    }

    /// <summary>Connects the user's calendar through the real consent flow: the service's authorization URL, the fake's consent redirect, the service's callback.</summary>
    public async Task ConnectAsync(BenchUser user, string provider, CancellationToken cancellationToken)
    {
        using var start = Request(HttpMethod.Post, $"api/calendar/connections/{Providers.ServiceName(provider)}", user);
        using var started = await _api.SendAsync(start, cancellationToken);
        var body = await started.Content.ReadAsStringAsync(cancellationToken);
        if (started.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Connect {provider} for user {user.Index}: {(int)started.StatusCode} {body}");
        }

        var authorization = JsonNode.Parse(body)!["authorizationUrl"]!.GetValue<string>();
        using var consent = await _browser.GetAsync(new Uri($"{authorization}&login_hint={user.Index.ToString(CultureInfo.InvariantCulture)}"), cancellationToken);
        if (consent.StatusCode != HttpStatusCode.Redirect || consent.Headers.Location is not { } callback)
        {
            throw new InvalidOperationException($"Consent at the fake {provider} answered {(int)consent.StatusCode}.");
        }

        using var back = await _browser.GetAsync(callback, cancellationToken);
        var outcome = back.Headers.Location?.OriginalString ?? "";
        if (back.StatusCode != HttpStatusCode.Redirect || !outcome.Contains("outcome=connected", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The service's {provider} callback answered {(int)back.StatusCode} → '{outcome}'.");
        }
    }

    /// <summary>POST /api/interviews: the new interview's id, or null with the status when refused.</summary>
    public async Task<(Guid? Id, int Status)> ScheduleAsync(BenchUser user, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["applicationId"] = new Guid(user.Index, 7, 7, [7, 7, 7, 7, 7, 7, 7, 7]).ToString("D"),
            ["interviewType"] = "Technical",
            ["scheduledAt"] = Instant(at),
            ["duration"] = 60,
            ["location"] = "https://zoom.us/j/5550001234",
            ["interviewers"] = new JsonArray("Jane Smith"),
            ["timezone"] = "Europe/London",
        };
        using var request = Request(HttpMethod.Post, "api/interviews", user, body);
        using var response = await _api.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return (null, (int)response.StatusCode);
        }

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        return (Guid.Parse(answer["id"]!.GetValue<string>()), 201);
    }

    /// <summary>PUT /api/interviews/{id}/reschedule: the status.</summary>
    public async Task<int> RescheduleAsync(BenchUser user, Guid interview, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["newDateTime"] = Instant(at), ["reason"] = "The panel moved it", ["initiatedBy"] = "Company" };
        using var request = Request(HttpMethod.Put, $"api/interviews/{interview:D}/reschedule", user, body);
        using var response = await _api.SendAsync(request, cancellationToken);
        return (int)response.StatusCode;
    }

    /// <summary>GET /api/interviews/{id}: its scheduledAt, or null when it is not found.</summary>
    public async Task<DateTimeOffset?> ScheduledAtAsync(BenchUser user, Guid interview, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"api/interviews/{interview:D}", user);
        using var response = await _api.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        return DateTimeOffset.Parse(answer["scheduledAt"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToUniversalTime();
    }

    /// <summary>PUT /api/me/notification-settings.</summary>
    public async Task<int> SetRemindersAsync(BenchUser user, IReadOnlyList<int> minutesBefore, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["email"] = user.Email,
            ["reminderMinutesBefore"] = new JsonArray([.. minutesBefore.Select(m => (JsonNode)m)]),
            ["nudgesEnabled"] = false,
            ["remindersEnabled"] = true,
        };
        using var request = Request(HttpMethod.Put, "api/me/notification-settings", user, body);
        using var response = await _api.SendAsync(request, cancellationToken);
        return (int)response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _api.Dispose();
        _browser.Dispose();
        await _host.DisposeAsync();
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, BenchUser user, JsonObject? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return request;
    }

    public static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
