namespace Interviews.LocalHost;

/// <summary>
/// The benchmark's same-stack baseline (benchmarks/Interviews.Benchmarks): when the setting
/// <c>Benchmark:BaselineFile</c> names a file, <c>GET /bench/baseline</c> answers its bytes as JSON, written
/// the way a list page is written (no store, no serializer, no token), so that a list's latency can be
/// quoted as a ratio to this floor. Off unless the setting is given; the Functions app never has it.
/// </summary>
public static class BenchmarkBaseline
{
    public const string FileSetting = "Benchmark:BaselineFile";

    public static void MapIfConfigured(WebApplication app)
    {
        if (app.Configuration[FileSetting] is not { Length: > 0 } path)
        {
            return;
        }

        var body = File.ReadAllBytes(path);
        app.MapGet("/bench/baseline", async context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
    }
}
