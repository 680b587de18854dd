using Interviews.Functions.Auth;
using Interviews.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
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

builder.Services.AddInterviews();
builder.Services.AddDeployedAppSettings();

var app = builder.Build();
StartupChecks.Run(app.Services);
app.Run();

/// <summary>Declared so that .NET 10's generated public Program of this app does not clash with LocalHost's in tests.</summary>
internal partial class Program;
