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

    /// <summary>When true, every response carries <see cref="ChargeHeader"/>: the Cosmos DB request units its request spent.</summary>
    public const string RequestChargeSetting = "Benchmark:RequestCharge";

    public const string ChargeHeader = "x-request-charge";

    /// <summary>
    /// The benchmark's RU per operation on Cosmos DB: the sum of the charges of the store calls made for
    /// the request, in a response header (as Cosmos DB reports its own in <c>x-ms-request-charge</c>). Off
    /// unless the setting is true; the Functions app never has it.
    /// </summary>
    public static void UseRequestChargeIfConfigured(WebApplication app)
    {
        if (!app.Configuration.GetValue(RequestChargeSetting, false))
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            var charge = Interviews.Functions.Storage.RequestCharges.Begin();
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[ChargeHeader] = charge.Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            await next(context);
        });
    }

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
