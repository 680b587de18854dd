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

    /// <summary>The push renewal timer's schedule setting (top level, like the reconcile's).</summary>
    public const string PushRenewalScheduleSetting = "CalendarPushRenewalSchedule";

    /// <summary>The webhook routes under <see cref="WebhookBaseUrl"/>.</summary>
    public const string GoogleNotificationsRoute = "calendar/notifications/google";
    public const string MicrosoftNotificationsRoute = "calendar/notifications/microsoft";
    public const string MicrosoftLifecycleRoute = "calendar/notifications/microsoft/lifecycle";

    public GoogleSettings Google { get; set; } = new();

    public OutlookSettings Outlook { get; set; } = new();

    /// <summary>The public base URL of this API (scheme and host); the OAuth redirect is <c>{this}/api/calendar/oauth/{provider}/callback</c>.</summary>
    public string OAuthRedirectBaseUrl { get; set; } = "http://127.0.0.1:7071";

    /// <summary>Where the browser is sent after consent, with <c>?provider=…&amp;outcome=connected|denied|failed</c>.</summary>
    public string ConsentResultRedirectUrl { get; set; } = "http://127.0.0.1:7071/calendar-connected";

    /// <summary>The public base URL feed links are made from: <c>{this}/api/calendar/feed/{token}.ics</c>.</summary>
    public string FeedBaseUrl { get; set; } = "http://127.0.0.1:7071";

    /// <summary>
    /// The public base URL (scheme and host) the providers send push notifications to:
    /// <c>{this}/api/calendar/notifications/google</c>, <c>…/microsoft</c> and <c>…/microsoft/lifecycle</c>.
    /// Unset: no watch or subscription is made, and the reconcile timer is the only way changes come in.
    /// </summary>
    public string? WebhookBaseUrl { get; set; }

    public bool PushEnabled => !string.IsNullOrWhiteSpace(WebhookBaseUrl);

    /// <summary>How long a Google watch channel is asked to live (Google caps it, at about a week for events).</summary>
    public TimeSpan GoogleChannelLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a Graph subscription is asked to live: Graph allows at most 4,230 minutes for events; less leaves room for clock skew.</summary>
    public TimeSpan GraphSubscriptionLifetime { get; set; } = TimeSpan.FromMinutes(4200);

    /// <summary>A channel or subscription expiring within this is renewed (longer than the renewal timer's period, so none lapses between runs).</summary>
    public TimeSpan PushRenewalMargin { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Where a provider's push notifications for it go: <c>{WebhookBaseUrl}/api/{route}</c>.</summary>
    public Uri NotificationUri(string route) => new($"{WebhookBaseUrl!.TrimEnd('/')}/api/{route}");

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

    /// <summary>
    /// Providers only deliver to https; plain http is accepted on a loopback address alone (LocalHost, the
    /// benchmark), where nothing leaves the machine.
    /// </summary>
    private static bool IsWebhookBase(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.AbsolutePath is "/" or ""
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

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

        if (PushEnabled && !IsWebhookBase(WebhookBaseUrl!))
        {
            yield return $"Setting {Section}:WebhookBaseUrl must be an https origin without a path, e.g. https://func-interviews.azurewebsites.net (http only on a loopback address); leave it unset to turn push notifications off.";
        }

        if (GraphSubscriptionLifetime < TimeSpan.FromMinutes(45) || GraphSubscriptionLifetime > TimeSpan.FromMinutes(4230))
        {
            yield return $"Setting {Section}:GraphSubscriptionLifetime must be a time span from 00:45:00 to 2.22:30:00 (Graph's longest for events).";
        }

        if (GoogleChannelLifetime < TimeSpan.FromHours(1) || GoogleChannelLifetime > TimeSpan.FromDays(30))
        {
            yield return $"Setting {Section}:GoogleChannelLifetime must be a time span from 01:00:00 to 30.00:00:00.";
        }

        if (PushRenewalMargin < TimeSpan.FromMinutes(10) || PushRenewalMargin >= GraphSubscriptionLifetime || PushRenewalMargin >= GoogleChannelLifetime)
        {
            yield return $"Setting {Section}:PushRenewalMargin must be at least 00:10:00 and shorter than both channel lifetimes.";
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
