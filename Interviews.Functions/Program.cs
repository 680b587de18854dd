using Interviews.Functions.Auth;
using Interviews.Functions.Hosting;
using Interviews.Functions.Storage;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<FunctionsExceptionMiddleware>();
builder.UseMiddleware<FunctionsAuthenticationMiddleware>();
builder.UseMiddleware<FunctionsRequestLogScopeMiddleware>();

// Function spans (with the host's trace context), the app's own sources and meters, outgoing HTTP;
// exported to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults().AddInterviewsTelemetry(TelemetrySettings.From(builder.Configuration));

// The deployed app stores its data in Cosmos DB only; without its settings it would fall back to a
// SQLite file on the instance's disk, so it refuses to start and names the setting.
if (!(builder.Configuration.GetSection(CosmosSettings.Section).Get<CosmosSettings>() ?? new CosmosSettings()).IsConfigured)
{
    throw new InvalidOperationException(CosmosSettings.MissingMessage);
}

// The deployed app trusts only its OpenID Connect authority; a development key fails start-up.
builder.Services.AddSingleton(AuthSettings.ForDeployedApp(builder.Configuration));
builder.Services.AddInterviews();

builder.Build().Run();

/// <summary>Declared so that .NET 10's generated public Program of this app does not clash with LocalHost's in tests.</summary>
internal partial class Program;
