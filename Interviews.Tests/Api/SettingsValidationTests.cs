using Interviews.Tests.Support;
using Interviews.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Api;

/// <summary>A bad setting fails LocalHost's start-up with a message that names it, not the first request that needs it.</summary>
public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("Storage:EventTimeToLive", "-1.00:00:00")]
    [InlineData("Storage:EventTimeToLive", "00:00:00")]
    [InlineData("Storage:EventTimeToLive", "soon")]
    [InlineData("Storage:SqlitePath", " ")]
    [InlineData("Auth:ClockSkew", "01:00:00")]
    [InlineData("Auth:ClockSkew", "-00:01:00")]
    [InlineData("Auth:Authority", "login.example/tenant")]
    [InlineData("Auth:Development:SigningKey", "too-short")]
    [InlineData("Auth:Development:TokenLifetime", "-01:00:00")]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "not-a-connection-string")]
    [InlineData("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Authorization=Key")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    [InlineData("Events:MaxAttempts", "0")]
    [InlineData("Events:FirstRetryDelay", "00:00:00")]
    [InlineData("Events:PageSize", "5000")]
    [InlineData("EventGrid:TopicEndpoint", "http://topic.example/api/events")]
    [InlineData("DataProtection:KeyVaultKeyId", "http://kv.example/keys/dataprotection")]
    [InlineData("DataProtection:KeyVaultKeyId", "kv-x/keys/dataprotection")]
    [InlineData("Calendar:WebhookBaseUrl", "http://api.example")]
    [InlineData("Calendar:WebhookBaseUrl", "https://api.example/hooks")]
    [InlineData("Calendar:WebhookBaseUrl", "api.example")]
    [InlineData("Calendar:GraphSubscriptionLifetime", "3.00:00:00")]
    [InlineData("Calendar:PushRenewalMargin", "00:01:00")]
    public void A_bad_setting_fails_start_up_naming_it(string setting, string value)
    {
        using var folder = new TestFolder();
        var database = folder.Database();
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--{setting}={value}" };
        if (setting != "Storage:SqlitePath")
        {
            args.Add($"--Storage:SqlitePath={database}");
        }

        var error = Assert.ThrowsAny<Exception>(() => Interviews.LocalHost.Program.BuildApp([.. args]));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://func-interviews.azurewebsites.net")]
    [InlineData("https://api.example/")]
    [InlineData("http://127.0.0.1:7071")]
    public void A_webhook_base_url_is_an_https_origin_or_plain_http_on_loopback(string value)
    {
        using var folder = new TestFolder();
        using var app = Interviews.LocalHost.Program.BuildApp(["--urls=http://127.0.0.1:0", $"--Calendar:WebhookBaseUrl={value}", $"--Storage:SqlitePath={folder.Database()}"]);
        Assert.True(app.Services.GetRequiredService<Interviews.Functions.Calendar.CalendarSettings>().PushEnabled);
    }

    [Theory]
    [InlineData("Email:Smtp:Security", "ssl-maybe")]
    [InlineData("Email:Smtp:Port", "70000")]
    [InlineData("Email:From", "not an address")]
    [InlineData("Email:MaxConnections", "0")]
    [InlineData("Email:MaxConnections", "101")]
    public void With_an_smtp_host_a_bad_email_setting_fails_start_up_naming_it(string setting, string value)
    {
        using var folder = new TestFolder();
        var error = Assert.ThrowsAny<Exception>(() => Interviews.LocalHost.Program.BuildApp(
            ["--urls=http://127.0.0.1:0", "--Email:Smtp:Host=127.0.0.1", $"--{setting}={value}", $"--Storage:SqlitePath={folder.Database()}"]));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_authority_without_an_audience_names_the_audience()
    {
        var error = Assert.ThrowsAny<Exception>(() => Interviews.LocalHost.Program.BuildApp(
            ["--urls=http://127.0.0.1:0", "--Auth:Authority=https://login.example/tenant/v2.0", $"--Storage:SqlitePath={Path.GetTempFileName()}"]));
        Assert.Contains("Auth:Audience", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Telemetry_settings_read_the_infrastructure_s_managed_identity_form()
    {
        var settings = TelemetrySettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetrySettings.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1/",
            [TelemetrySettings.AuthenticationStringSetting] = "Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555",
        }).Build());
        Assert.True(settings.Exports);
        Assert.True(settings.UseManagedIdentity);
        Assert.Equal("11111111-2222-3333-4444-555555555555", settings.ManagedIdentityClientId);
        Assert.NotNull(settings.Credential());
    }

    [Fact]
    public void Without_telemetry_settings_nothing_is_exported()
    {
        var settings = TelemetrySettings.From(new ConfigurationBuilder().Build());
        Assert.False(settings.Exports);
        Assert.Null(settings.Credential());
    }
}
