using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Interviews.Functions.Calendar;
using Interviews.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Calendar;

/// <summary>LocalHost on real Kestrel with every calendar endpoint pointed at a fake Google and a fake Microsoft on loopback.</summary>
public sealed class CalendarTestHost : IDisposable
{
    public const string ResultPage = "https://app.example/settings/calendars";
    public const string FeedBase = "https://calendar.example";

    /// <summary>The service's public origin for push notifications (the fakes reach it on loopback, as through a tunnel).</summary>
    public const string WebhookBase = "https://api.example";

    /// <summary>A host with push notifications on (<c>Calendar:WebhookBaseUrl</c>), the fake Graph validating against it.</summary>
    public static CalendarTestHost WithPush(Action<IServiceCollection>? services = null)
    {
        var host = new CalendarTestHost(services, new Dictionary<string, string?> { ["Calendar:WebhookBaseUrl"] = WebhookBase });
        host.Microsoft.ServiceBase = () =>
        {
            using var client = host.Factory.ClientFor(null);
            return client.BaseAddress!;
        };
        return host;
    }

    public CalendarTestHost(Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string?>? extraSettings = null)
    {
        var settings = Settings(Google, Microsoft);
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        Factory = LocalHostFactory.WithSettings(settings, services);
    }

    public FakeGoogle Google { get; } = new();

    public FakeMicrosoft Microsoft { get; } = new();

    public LocalHostFactory Factory { get; }

    public static Dictionary<string, string?> Settings(FakeGoogle google, FakeMicrosoft microsoft) => new()
    {
        ["Calendar:Google:ClientId"] = "google-client-id",
        ["Calendar:Google:ClientSecret"] = "google-client-secret",
        ["Calendar:Google:AuthorizationEndpoint"] = google.Url + "/o/oauth2/v2/auth",
        ["Calendar:Google:TokenEndpoint"] = google.Url + "/token",
        ["Calendar:Google:RevocationEndpoint"] = google.Url + "/revoke",
        ["Calendar:Google:ApiBaseUrl"] = google.Url + "/calendar/v3",
        ["Calendar:Outlook:ClientId"] = "outlook-client-id",
        ["Calendar:Outlook:ClientSecret"] = "outlook-client-secret",
        ["Calendar:Outlook:Authority"] = microsoft.Url + "/common",
        ["Calendar:Outlook:GraphBaseUrl"] = microsoft.Url + "/v1.0",
        ["Calendar:OAuthRedirectBaseUrl"] = "https://api.example",
        ["Calendar:ConsentResultRedirectUrl"] = ResultPage,
        ["Calendar:FeedBaseUrl"] = FeedBase,
    };

    public FakeProvider Fake(string provider) => provider == "google" ? Google : Microsoft;

    /// <summary>A client that does not follow redirects (the OAuth callback answers 302).</summary>
    public HttpClient Browser()
    {
        using var started = Factory.ClientFor(null);
#pragma warning disable CA2000 // The caller disposes the client, which owns its handler.
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: true) { BaseAddress = started.BaseAddress };
#pragma warning restore CA2000
    }

    /// <summary>Starts consent as the user, then plays the provider's redirect back to the callback. Returns the callback's answer.</summary>
    public async Task<HttpResponseMessage> ConsentAsync(HttpClient user, string provider, Func<string, string>? tamperState = null)
    {
        var start = await user.PostAsync($"/api/calendar/connections/{provider}", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var url = new Uri((await start.JsonAsync())["authorizationUrl"]!.GetValue<string>());
        var query = QueryHelpers.ParseQuery(url.Query);
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        Assert.Equal($"https://api.example/api/calendar/oauth/{provider}/callback", query["redirect_uri"].ToString());
        var code = Fake(provider).IssueCode(query["code_challenge"].ToString());
        var state = tamperState?.Invoke(query["state"].ToString()) ?? query["state"].ToString();
        using var browser = Browser();
        return await browser.GetAsync($"/api/calendar/oauth/{provider}/callback?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}", TestContext.Current.CancellationToken);
    }

    public async Task ConnectAsync(HttpClient user, string provider)
    {
        var answer = await ConsentAsync(user, provider);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal($"{ResultPage}?provider={provider}&outcome=connected", answer.Headers.Location!.ToString());
    }

    public async Task<JsonArray> ConnectionsAsync(HttpClient user)
    {
        var response = await user.GetPathAsync("/api/calendar/connections");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync())["items"]!.AsArray();
    }

    /// <summary>The user deletes the interview's event in that calendar (the only event of the fake Outlook).</summary>
    public void DeleteByUser(string provider, string interviewId)
    {
        if (provider == "google")
        {
            Google.DeleteByUser(GoogleCalendarClient.EventId(Guid.Parse(interviewId)));
        }
        else
        {
            Microsoft.DeleteByUser(Microsoft.LiveEvents.Single()["id"]!.GetValue<string>());
        }
    }

    public Task PumpAsync() => Factory.RunTimerAsync("EventPump");

    public Task ReconcileAsync() => Factory.RunTimerAsync("CalendarReconcile");

    public Task RenewPushAsync() => Factory.RunTimerAsync("CalendarPushRenewal");

    public void Dispose()
    {
        Factory.Dispose();
        Google.Dispose();
        Microsoft.Dispose();
    }
}

/// <summary>Runs the pinned third-party Node tools of Calendar/node (ical.js, Azurite), installed on first use, or skips the test with the reason.</summary>
public static class NodeTools
{
    public static string Directory { get; } = Path.Combine(NodePackages.RepositoryRoot, Folder);

    private const string Folder = "Interviews.Tests/Calendar/node";

    /// <summary>The tools' folder once its packages are installed; skips the calling test without Node.js.</summary>
    public static Task<string> RequireAsync() => NodePackages.RequireAsync(Folder, "ical.js");

    /// <summary>The tools' folder and, when they cannot run here, why (for a fixture, which cannot skip).</summary>
    public static Task<(string Directory, string? SkipReason)> EnsureAsync() => NodePackages.EnsureAsync(Folder, "ical.js");

    /// <summary>Parses an ICS text with ical.js; answers its JSON summary.</summary>
    public static async Task<JsonObject> ParseIcsAsync(string ics)
    {
        await RequireAsync();
        var start = new ProcessStartInfo("node", [Path.Combine(Directory, "parse-ics.mjs")])
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(ics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"ical.js could not parse the calendar: {error}\n{ics}");
        return JsonNode.Parse(output)!.AsObject();
    }
}
