using Interviews.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Interviews.Benchmarks;

/// <summary>
/// <c>serve --baseline-file=FILE [LocalHost's arguments]</c>: Interviews.LocalHost exactly as
/// <c>dotnet run --project Interviews.LocalHost</c> builds it (<see cref="Program.BuildApp"/>), plus the
/// benchmark's same-stack baseline, <c>GET /bench/baseline</c>: the file's bytes answered as JSON, written
/// the way a list page is written (no store, no serializer, no token), so that a list's latency can be
/// quoted as a ratio to this floor. The baseline lives here, not in LocalHost, so that no production
/// assembly carries benchmark code.
/// </summary>
internal static class BaselineHost
{
    public const string Command = "serve";
    public const string BaselineFileArgument = "--baseline-file";

    public static int Run(string[] args)
    {
        var baseline = args.SingleOrDefault(a => a.StartsWith(BaselineFileArgument + "=", StringComparison.Ordinal));
        if (baseline is null)
        {
            Console.Error.WriteLine($"usage: {Command} {BaselineFileArgument}=FILE [LocalHost's arguments]");
            return 2;
        }

        var body = File.ReadAllBytes(baseline[(BaselineFileArgument.Length + 1)..]);
        var app = Program.BuildApp([.. args.Where(a => a != baseline)]);
        app.MapGet("/bench/baseline", async context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
        app.Run();
        return 0;
    }
}
