using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Interviews.Tests.Support;

/// <summary>
/// An OTLP/HTTP collector on loopback that keeps every export it receives (protobuf bodies by signal:
/// traces, metrics, logs) and answers success. Point <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> at
/// <see cref="Endpoint"/> with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _exports = new();

    private OtlpCollector(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The settings that send a process's telemetry here, exported every fraction of a second.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.AbsoluteUri.TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    public static async Task<OtlpCollector> StartAsync()
    {
        var app = Loopback.WebApplication().Build();
        var collector = new OtlpCollector(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            collector._exports.Enqueue((signal, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        collector.Endpoint = new Uri(app.Urls.Single());
        return collector;
    }

    /// <summary>Waits until an export of <paramref name="signal"/> contains all of <paramref name="parts"/> (raw bytes, e.g. UTF-8 names or a trace id).</summary>
    public async Task<bool> ReceivedAsync(string signal, TimeSpan timeout, params byte[][] parts)
    {
        var until = DateTime.UtcNow + timeout;
        do
        {
            if (_exports.Any(e => e.Signal == signal && parts.All(p => e.Body.AsSpan().IndexOf(p) >= 0)))
            {
                return true;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < until);

        return false;
    }

    /// <summary>The signals received so far, with their count (for failure messages).</summary>
    public string Summary => string.Join(", ", _exports.GroupBy(e => e.Signal).Select(g => $"{g.Key}: {g.Count()}"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
