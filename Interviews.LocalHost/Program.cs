using Interviews.Functions.Auth;
using Interviews.Functions.Hosting;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;

namespace Interviews.LocalHost;

/// <summary>
/// Runs the Functions app's HTTP functions on Kestrel over the embedded SQLite store (Cosmos DB when
/// <c>Cosmos:ConnectionString</c> or <c>Cosmos:AccountEndpoint</c> is set):
/// <c>dotnet run --project Interviews.LocalHost</c> serves http://127.0.0.1:7071 (<c>--urls</c> overrides);
/// <c>dotnet run --project Interviews.LocalHost -- token --user alice</c> prints a development token.
/// </summary>
public sealed class Program
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static int Main(string[] args)
    {
        if (args is ["token", .. var tokenArgs])
        {
            return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);
        }

        if (args is ["dead-letters", .. var deadLetterArgs])
        {
            return DeadLettersCommand.RunAsync(deadLetterArgs, Console.Out, Console.Error).GetAwaiter().GetResult();
        }

        BuildApp(args).Run();
        return 0;
    }

    public static WebApplication BuildApp(string[] args)
    {
        // Settings and host.json come from the build output, so the service runs the same from any
        // working directory; data goes under the working directory (Storage:SqlitePath).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddInterviews();

        // Telemetry only when there is somewhere to send it (an OTLP collector or Application Insights).
        var telemetry = TelemetrySettings.From(builder.Configuration);
        if (telemetry.Exports)
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService("Interviews.LocalHost"))
                .AddInterviewsTelemetry(telemetry)
                .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation())
                .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation());
        }

        builder.Services.AddSingleton(sp =>
        {
            // An OpenID Connect authority when one is configured; otherwise the development key.
            var auth = sp.GetRequiredService<AuthSettings>();
            return string.IsNullOrWhiteSpace(auth.Authority)
                ? DevelopmentTokens.From(sp.GetRequiredService<IConfiguration>()).ValidationParameters(auth.ClockSkew)
                : auth.ForAuthority();
        });

        // Timer functions run on their own schedules unless LocalHost:RunTimers is false (tests run them by hand).
        var timers = FunctionTimers.Find(typeof(InterviewsRegistration).Assembly, builder.Configuration);
        builder.Services.AddHostedService(sp => new FunctionTimers(timers, sp, sp.GetRequiredService<ILogger<FunctionTimers>>()));

        builder.Services.AddSingleton(timers);

        // Queue functions run from the embedded queue with host.json's queue settings unless
        // LocalHost:RunQueues is false, or the work queues are Azure Storage Queues (another host reads those).
        var queueFunctions = FunctionQueues.Find(typeof(InterviewsRegistration).Assembly, builder.Configuration);
        builder.Services.AddSingleton(queueFunctions);
        builder.Services.AddSingleton(QueueHostSettings.Read(Path.Combine(AppContext.BaseDirectory, "host.json")));
        builder.Services.AddHostedService(sp => new FunctionQueues(sp.GetRequiredService<IReadOnlyList<LocalQueueFunction>>(), sp.GetRequiredService<QueueHostSettings>(), sp, sp.GetRequiredService<ILogger<FunctionQueues>>()));
        var app = builder.Build();

        StartupChecks.Run(app.Services);
        if (app.Services.GetRequiredService<IDocumentContainer>() is SqliteDocumentContainer sqlite)
        {
            app.Logger.LogInformation("Embedded store: {Path}", sqlite.Path);
        }
        else
        {
            app.Logger.LogInformation("Cosmos DB store (settings section {Section})", CosmosSettings.Section);
        }

        RequestChargeHeader.UseIfConfigured(app);
        app.UseMiddleware<LocalExceptionMiddleware>();
        app.UseStatusCodePages(async context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            if (status is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                await Problems.WriteAsync(
                    context.HttpContext,
                    status,
                    status == 404 ? "not-found" : "method-not-allowed",
                    status == 404 ? "No such endpoint." : "This endpoint does not accept that method.");
            }
        });
        app.UseRouting();
        app.UseMiddleware<LocalAuthenticationMiddleware>();
        app.UseMiddleware<LocalRequestLogScopeMiddleware>();
        var prefix = FunctionEndpoints.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json"));
        FunctionEndpoints.Map(app, typeof(InterviewsRegistration).Assembly, prefix);

        // Interactive API docs (LocalHost only, anonymous) over the served contract.
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Interviews API")
            .WithOpenApiRoutePattern($"/{prefix.Trim('/')}/openapi.json"));
        return app;
    }
}

/// <summary><c>token --user NAME [--email ADDRESS] [--hours N]</c>: prints a development bearer token and nothing else.</summary>
public static class TokenCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? user = null, email = null;
        double? hours = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--user" when i + 1 < args.Length:
                    user = args[++i];
                    break;
                case "--email" when i + 1 < args.Length:
                    email = args[++i];
                    break;
                case "--hours" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var h) && h > 0:
                    hours = h;
                    i++;
                    break;
                default:
                    error.WriteLine($"Unknown or incomplete argument '{args[i]}'.");
                    return Usage(error);
            }
        }

        if (string.IsNullOrWhiteSpace(user))
        {
            return Usage(error);
        }

        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var tokens = DevelopmentTokens.From(configuration);
        output.WriteLine(tokens.Mint(user, email, DateTimeOffset.UtcNow, hours is { } x ? TimeSpan.FromHours(x) : null));
        return 0;
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine("usage: token --user NAME [--email ADDRESS] [--hours N]");
        return 2;
    }
}
