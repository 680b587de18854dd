// Starts cosmos-compat-server.js (Node.js) beside this file on a free loopback port for tests and builds
// CosmosClients for it. `npm ci` in this folder (.ci/run, or CosmosCompatFixture) installs the server package.
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Azure.Cosmos;

namespace Interviews.Tests.CosmosCompat;

public sealed partial class CosmosCompatServer : IAsyncDisposable
{
    /// <summary>The Cosmos DB emulator's well-known key; the server does not check signatures.</summary>
    public const string Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly Process process;

    private CosmosCompatServer(Process process, Uri endpoint)
    {
        this.process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <param name="layerDirectory">Folder holding cosmos-compat-server.js and its node_modules.</param>
    /// <param name="useTls">false: plain http (simplest); true: https with the package's self-signed, expired certificate.</param>
    public static async Task<CosmosCompatServer> StartAsync(string layerDirectory, bool useTls = false, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = layerDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(layerDirectory, "cosmos-compat-server.js"), "-p", "0", "--host", "127.0.0.1" }) psi.ArgumentList.Add(a);
        if (!useTls) psi.ArgumentList.Add("--no-ssl");

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            var m = e.Data is null ? null : ReadyLine().Match(e.Data);
            if (m is { Success: true }) ready.TrySetResult(new Uri($"{(useTls ? "https" : "http")}://{m.Groups[1].Value}:{m.Groups[2].Value}/"));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[cosmos-compat] " + e.Data); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("cosmos-compat-server exited before it was ready"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var endpoint = await ready.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
            return new CosmosCompatServer(process, endpoint);
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>Client options that work against the layer (both http and https).</summary>
    public static CosmosClientOptions ClientOptions(JsonSerializerOptions? json = null)
    {
        var options = new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,      // the server speaks only the HTTP gateway protocol
            LimitToEndpoint = true,                      // no region discovery: stay on the given endpoint
            RequestTimeout = TimeSpan.FromSeconds(10),
            MaxRetryAttemptsOnRateLimitedRequests = 0,
            // only needed with useTls: the package's certificate is self-signed and expired
            ServerCertificateCustomValidationCallback = (_, _, _) => true,
        };
        if (json is not null) options.UseSystemTextJsonSerializerWithOptions = json;
        return options;
    }

    public CosmosClient CreateClient(JsonSerializerOptions? json = null) => new(Endpoint.ToString(), Key, ClientOptions(json));

    public async ValueTask DisposeAsync()
    {
        Kill(process);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        process.Dispose();
    }

    private static void Kill(Process p)
    {
        try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { /* already gone */ }
    }

    [GeneratedRegex(@"connections at (\S+):(\d+)")]
    private static partial Regex ReadyLine();
}
