using Interviews.Functions.Settings;
namespace Interviews.Functions.Calendar;

/// <summary>
/// Calendar integration settings (section <c>Calendar</c>). Every endpoint is a setting, so that tests
/// point them at fakes and a sovereign cloud can be used; client secrets belong in Key Vault references.
/// </summary>
public sealed class CalendarSettings : ICheckedSettings
{
    public const string Section = "Calendar";

    /// <summary>The timer's schedule setting (top level, as the Functions host resolves <c>%…%</c>).</summary>
    public const string ReconcileScheduleSetting = "CalendarReconcileSchedule";

    public const string DefaultReconcileSchedule = "0 */15 * * * *";

    public GoogleSettings Google { get; set; } = new();

    public OutlookSettings Outlook { get; set; } = new();

    /// <summary>The public base URL of this API (scheme and host); the OAuth redirect is <c>{this}/api/calendar/oauth/{provider}/callback</c>.</summary>
    public string OAuthRedirectBaseUrl { get; set; } = "http://127.0.0.1:7071";

    /// <summary>Where the browser is sent after consent, with <c>?provider=…&amp;outcome=connected|denied|failed</c>.</summary>
    public string ConsentResultRedirectUrl { get; set; } = "http://127.0.0.1:7071/calendar-connected";

    /// <summary>The public base URL feed links are made from: <c>{this}/api/calendar/feed/{token}.ics</c>.</summary>
    public string FeedBaseUrl { get; set; } = "http://127.0.0.1:7071";

    /// <summary>How long a consent's <c>state</c> is valid.</summary>
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long cancelled interviews stay in the feed (as STATUS:CANCELLED) so that subscribed calendars remove them.</summary>
    public TimeSpan CancelledInFeedFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The wait before retrying a provider that failed without saying how long to wait.</summary>
    public TimeSpan DefaultRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The window of Outlook's calendar view delta (Graph requires one): from this long ago…</summary>
    public TimeSpan ReconcileWindowPast { get; set; } = TimeSpan.FromDays(30);

    /// <summary>…to this far ahead.</summary>
    public TimeSpan ReconcileWindowFuture { get; set; } = TimeSpan.FromDays(730);

    /// <summary>The longest one call to a provider (with its token refresh) may take; a slower one counts as the provider failing, and is retried later.</summary>
    public TimeSpan ProviderTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many calls to one connection's calendar are in flight at once, per instance.</summary>
    public int MaxCallsPerConnection { get; set; } = 2;

    /// <summary>How long a sync waits for its connection's turn before it leaves the interview pending and asks for the connection to be synced a moment later.</summary>
    public TimeSpan ConnectionBusyWait { get; set; } = TimeSpan.FromSeconds(2);

    public ProviderSettings For(string provider) => provider == CalendarProviders.Google ? Google : Outlook;

    /// <summary>A provider without a client id is simply not offered; the limits must be usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (ProviderTimeout < TimeSpan.FromSeconds(1) || ProviderTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"Setting {Section}:ProviderTimeout must be a time span from 00:00:01 to 00:05:00.";
        }

        if (MaxCallsPerConnection is < 1 or > 16)
        {
            yield return $"Setting {Section}:MaxCallsPerConnection must be from 1 to 16.";
        }

        if (ConnectionBusyWait < TimeSpan.Zero || ConnectionBusyWait > TimeSpan.FromMinutes(1))
        {
            yield return $"Setting {Section}:ConnectionBusyWait must be a time span from 00:00:00 to 00:01:00.";
        }
    }
}

/// <summary>What both providers' OAuth settings have.</summary>
public abstract class ProviderSettings
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>Space-separated OAuth scopes.</summary>
    public abstract string Scopes { get; set; }

    public abstract Uri AuthorizationUri { get; }

    public abstract Uri TokenUri { get; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId);
}

public sealed class GoogleSettings : ProviderSettings
{
    public string AuthorizationEndpoint { get; set; } = "https://accounts.google.com/o/oauth2/v2/auth";

    public string TokenEndpoint { get; set; } = "https://oauth2.googleapis.com/token";

    public string RevocationEndpoint { get; set; } = "https://oauth2.googleapis.com/revoke";

    /// <summary>Calendar API v3's base, without a trailing slash.</summary>
    public string ApiBaseUrl { get; set; } = "https://www.googleapis.com/calendar/v3";

    public override string Scopes { get; set; } = "openid email https://www.googleapis.com/auth/calendar.events";

    public override Uri AuthorizationUri => new(AuthorizationEndpoint);

    public override Uri TokenUri => new(TokenEndpoint);
}

public sealed class OutlookSettings : ProviderSettings
{
    /// <summary>The Microsoft identity platform authority (tenant <c>common</c>: work, school and personal accounts).</summary>
    public string Authority { get; set; } = "https://login.microsoftonline.com/common";

    public string GraphBaseUrl { get; set; } = "https://graph.microsoft.com/v1.0";

    public override string Scopes { get; set; } = "openid email offline_access Calendars.ReadWrite";

    public override Uri AuthorizationUri => new(Authority.TrimEnd('/') + "/oauth2/v2.0/authorize");

    public override Uri TokenUri => new(Authority.TrimEnd('/') + "/oauth2/v2.0/token");
}

/// <summary>The provider names used in routes and documents.</summary>
public static class CalendarProviders
{
    public const string Google = "google";
    public const string Outlook = "outlook";

    public static IReadOnlyList<string> All { get; } = [Google, Outlook];

    public static bool IsKnown(string? provider) => provider is Google or Outlook;

    public static string DisplayName(string provider) => provider == Google ? "Google Calendar" : "Outlook";
}
