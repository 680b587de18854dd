using Interviews.Functions.Diagnostics;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Interviews.Functions.Hosting;

/// <summary>
/// Where telemetry goes, from the standard settings: <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> (Application
/// Insights, authenticated with a managed identity when <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says
/// <c>Authorization=AAD</c>, as the infrastructure sets it) and <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (any OTLP collector).
/// </summary>
public sealed record TelemetrySettings(string? ApplicationInsightsConnectionString, bool UseManagedIdentity, string? ManagedIdentityClientId, Uri? OtlpEndpoint)
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>True when some exporter is configured.</summary>
    public bool Exports => ApplicationInsightsConnectionString is not null || OtlpEndpoint is not null;

    /// <summary>Reads and checks the settings; a malformed one fails start-up with a message that names it.</summary>
    public static TelemetrySettings From(IConfiguration configuration)
    {
        var connectionString = Trimmed(configuration[ConnectionStringSetting]);
        if (connectionString is not null && !Guid.TryParse(Part(connectionString, "InstrumentationKey"), out _))
        {
            throw new InvalidOperationException(
                $"Setting {ConnectionStringSetting} must be an Application Insights connection string with an InstrumentationKey (InstrumentationKey=<guid>;IngestionEndpoint=…).");
        }

        var useManagedIdentity = false;
        string? clientId = null;
        if (Trimmed(configuration[AuthenticationStringSetting]) is { } authentication)
        {
            clientId = Part(authentication, "ClientId");
            if (!string.Equals(Part(authentication, "Authorization"), "AAD", StringComparison.OrdinalIgnoreCase)
                || (clientId is not null && !Guid.TryParse(clientId, out _)))
            {
                throw new InvalidOperationException(
                    $"Setting {AuthenticationStringSetting} must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id of a user-assigned managed identity>'.");
            }

            useManagedIdentity = true;
        }

        Uri? otlp = null;
        if (Trimmed(configuration[OtlpEndpointSetting]) is { } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out otlp) || (otlp.Scheme != Uri.UriSchemeHttp && otlp.Scheme != Uri.UriSchemeHttps)))
        {
            throw new InvalidOperationException($"Setting {OtlpEndpointSetting} must be the http(s) URL of an OTLP collector, e.g. http://localhost:4317.");
        }

        return new TelemetrySettings(connectionString, useManagedIdentity, clientId, otlp);
    }

    /// <summary>The managed identity telemetry is sent as, or null to send with the connection string alone.</summary>
    public TokenCredential? Credential() => !UseManagedIdentity
        ? null
        : new ManagedIdentityCredential(ManagedIdentityClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(ManagedIdentityClientId));

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The value of <paramref name="key"/> in "Key=Value;Key=Value" (case-insensitive keys), or null.</summary>
    private static string? Part(string text, string key) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2 && pair[0].Equals(key, StringComparison.OrdinalIgnoreCase))
            .Select(pair => pair[1])
            .FirstOrDefault();
}

/// <summary>The OpenTelemetry both hosts share: the app's own source and meters, outgoing HTTP, the exporters.</summary>
public static class TelemetrySetup
{
    /// <summary>
    /// Adds the "Interviews" trace source and meters (and "Interviews.Storage"), the Cosmos DB and SMTP
    /// libraries' sources, HttpClient spans and metrics (Google and Microsoft Graph calendar calls), and
    /// the exporters <paramref name="settings"/> name. Without any, nothing is exported.
    /// </summary>
    public static IOpenTelemetryBuilder AddInterviewsTelemetry(this IOpenTelemetryBuilder builder, TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        builder.WithTracing(tracing => tracing
            .AddSource(Telemetry.Name)
            .AddSource(Telemetry.LibrarySources)
            .AddHttpClientInstrumentation());
        builder.WithMetrics(metrics => metrics
            .AddMeter(Telemetry.Name, Telemetry.StorageMeterName)
            .AddMeter(Telemetry.LibraryMeters)
            .AddHttpClientInstrumentation());

        // Log records carry their scopes (the request's trace id and user id: RequestLogScope).
        builder.Services.Configure<OpenTelemetryLoggerOptions>(options => options.IncludeScopes = true);

        if (settings.ApplicationInsightsConnectionString is { } connectionString)
        {
            var credential = settings.Credential();
            builder.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = credential;
            });
        }

        if (settings.OtlpEndpoint is not null)
        {
            // Reads OTEL_EXPORTER_OTLP_ENDPOINT (and _PROTOCOL, _HEADERS) itself.
            builder.UseOtlpExporter();
        }

        return builder;
    }
}
