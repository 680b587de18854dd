using Interviews.Functions.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Interviews.Functions.Auth;
using Interviews.Functions.Hosting;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Moq;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Interviews.Tests.Api;

/// <summary>
/// Logs carry the request's trace id and user id (a GUID) and nothing personal beyond ids; OpenTelemetry
/// is set up only where there is somewhere to export to.
/// </summary>
public sealed class TelemetryTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string TraceParent = $"00-{TraceId}-b7ad6b7169203331-01";

    [Fact]
    public async Task Request_logs_carry_the_trace_id_and_user_id_and_no_token_e_mail_or_notes()
    {
        using var factory = new LocalHostFactory { ExtraServices = services => services.AddFakeLogging() };
        var user = LocalHostFactory.NewUser();
        const string email = "candidate.private@example.com";
        const string notes = "SECRET-PREPARATION-NOTE about the salary";
        var token = factory.Tokens.Mint(user, email, DateTimeOffset.UtcNow);
        using var client = factory.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var (id, _, _) = await client.ScheduleAsync(factory);
        using (var prepare = new HttpRequestMessage(HttpMethod.Put, $"/api/interviews/{id}/prepare"))
        {
            prepare.Headers.Add("traceparent", TraceParent);
            prepare.Content = JsonContent.Create(new { preparationNotes = notes, researchCompleted = true });
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(prepare, TestContext.Current.CancellationToken)).StatusCode);
        }

        // The trace id in logs is the one a problem answer gives the client.
        using (var missing = new HttpRequestMessage(HttpMethod.Get, $"/api/interviews/{Guid.NewGuid()}"))
        {
            missing.Headers.Add("traceparent", TraceParent);
            var problem = await (await client.SendAsync(missing, TestContext.Current.CancellationToken)).AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Contains(TraceId, problem["traceId"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // A rejected token is logged without its content.
        using var forged = factory.ClientFor(null);
        forged.DefaultRequestHeaders.Authorization = new("Bearer", token[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetPathAsync("/api/interviews")).StatusCode);

        var records = factory.Services.GetFakeLogCollector().GetSnapshot();
        var saved = Assert.Single(records, r => r.Message.Contains(id, StringComparison.Ordinal) && r.Message.Contains("InterviewPrepared", StringComparison.Ordinal));
        var scope = Assert.Single(saved.Scopes.OfType<RequestLogScope>());
        Assert.Equal(TraceId, scope.TraceId);
        Assert.Equal(DevelopmentTokens.UserIdOf(user), scope.UserId);
        Assert.Contains(new KeyValuePair<string, object?>(RequestLogScope.UserIdKey, DevelopmentTokens.UserIdOf(user).ToString("D")), scope);
        Assert.Contains(records, r => r.Message.Contains("Bearer token rejected", StringComparison.Ordinal));

        var everything = string.Join('\n', records.Select(Text));
        foreach (var secret in new[] { token, token.Split('.')[1], token.Split('.')[2], email, notes, "SECRET-PREPARATION-NOTE", user })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_worker_middleware_begins_the_same_scope_from_the_host_s_trace_context()
    {
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(collector)));
        var userId = Guid.NewGuid();
        var http = new DefaultHttpContext();
        http.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(BearerTokenValidator.UserIdClaim, userId.ToString("D"))], "Bearer"));
        var traceContext = new Mock<TraceContext>();
        traceContext.SetupGet(t => t.TraceParent).Returns(TraceParent);
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        context.SetupGet(c => c.TraceContext).Returns(traceContext.Object);

        var function = loggers.CreateLogger("Function.PrepareInterview");
        await new FunctionsRequestLogScopeMiddleware(loggers.CreateLogger<FunctionsRequestLogScopeMiddleware>()).Invoke(context.Object, _ =>
        {
            function.LogInformation("Inside the function");
            return Task.CompletedTask;
        });

        var scope = Assert.Single(Assert.Single(collector.GetSnapshot()).Scopes.OfType<RequestLogScope>());
        Assert.Equal(userId, scope.UserId);
        // No activity in this test: the trace id comes from the host's traceparent.
        Assert.Equal(System.Diagnostics.Activity.Current is { } a ? a.TraceId.ToHexString() : TraceId, scope.TraceId);
    }

    [Fact]
    public void LocalHost_sets_up_no_OpenTelemetry_without_an_exporter()
    {
        using var factory = new LocalHostFactory();
        factory.ClientFor(null).Dispose();
        Assert.Null(factory.Services.GetService<TracerProvider>());
        Assert.Null(factory.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task LocalHost_exports_the_app_s_traces_and_metrics_when_an_OTLP_endpoint_is_set()
    {
        // A closed loopback port: the exporter has nowhere to send, and nothing leaves the machine.
        await using var app = Interviews.LocalHost.Program.BuildApp(
            ["--urls=http://127.0.0.1:0", $"--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{Loopback.FreePort()}", $"--Storage:SqlitePath={Path.GetTempFileName()}"]);
        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
        Assert.True(Telemetry.ActivitySource.HasListeners());
        Assert.True(Telemetry.EventPumpLag.Enabled);
        Assert.True(Telemetry.RemindersSent.Enabled);
    }

    private static string Text(FakeLogRecord record) => string.Join(
        " | ",
        new[] { record.Message, record.Exception?.ToString() }
            .Concat(record.StructuredState?.Select(p => $"{p.Key}={p.Value}") ?? [])
            .Concat(record.Scopes.Select(Describe)));

    private static string? Describe(object? scope) => scope switch
    {
        IEnumerable<KeyValuePair<string, object?>> pairs => string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")),
        _ => scope?.ToString(),
    };
}
