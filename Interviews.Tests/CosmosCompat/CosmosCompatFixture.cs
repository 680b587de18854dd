using System.ComponentModel;
using System.Diagnostics;
using Interviews.Functions.Storage;
using Microsoft.Azure.Cosmos;

namespace Interviews.Tests.CosmosCompat;

/// <summary>
/// One Cosmos-protocol compat server (Node.js, in memory) per test class, and a client of it with the
/// app's own client options, switched to what the server speaks (Gateway mode, its one endpoint).
/// Without Node.js the tests skip with the reason; a failing <c>npm ci</c> fails them with npm's output.
/// </summary>
public sealed class CosmosCompatFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim Install = new(1, 1);
    private CosmosCompatServer? _server;
    private CosmosClient? _client;

    /// <summary>Why the server cannot run on this machine (null: it runs).</summary>
    public string? SkipReason { get; private set; }

    public CosmosClient Client => _client ?? throw new InvalidOperationException("The compat server is not running: " + SkipReason);

    /// <summary>Skips the calling test when the server cannot run here.</summary>
    public CosmosClient RequireClient()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return Client;
    }

    public async ValueTask InitializeAsync()
    {
        var directory = LayerDirectory();
        if (!await SucceedsAsync("node", ["--version"], directory))
        {
            SkipReason = "Node.js (node) is not installed or not on PATH: the Cosmos-protocol compat server (Interviews.Tests/CosmosCompat) cannot run.";
            return;
        }

        try
        {
            await InstallPackagesAsync(directory);
        }
        catch (Win32Exception)
        {
            SkipReason = "npm is not installed or not on PATH, and the compat server's packages (Interviews.Tests/CosmosCompat/node_modules) are missing.";
            return;
        }

        _server = await CosmosCompatServer.StartAsync(directory);
        var options = new CosmosSettings { ConnectionMode = ConnectionMode.Gateway, MaxRetryAttemptsOnRateLimitedRequests = 0 }.ClientOptions();
        options.LimitToEndpoint = true;
        options.RequestTimeout = TimeSpan.FromSeconds(10);
        _client = new CosmosClient(_server.Endpoint.ToString(), CosmosCompatServer.Key, options);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A new, empty database on the server.</summary>
    public async Task<Database> CreateDatabaseAsync() =>
        (await RequireClient().CreateDatabaseAsync($"test-{Guid.NewGuid():N}")).Database;

    private static async Task InstallPackagesAsync(string directory)
    {
        await Install.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(directory, "node_modules", "@vercel", "cosmosdb-server")))
            {
                return;
            }

            var (exitCode, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], directory, TimeSpan.FromMinutes(5));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {directory} failed with exit code {exitCode}; the compat server cannot be installed:\n{output}");
            }
        }
        finally
        {
            Install.Release();
        }
    }

    private static async Task<bool> SucceedsAsync(string file, string[] arguments, string directory)
    {
        try
        {
            return (await RunAsync(file, arguments, directory, TimeSpan.FromSeconds(20))).ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>Interviews.Tests/CosmosCompat in the source tree, found upwards from the test binaries.</summary>
    private static string LayerDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(directory.FullName, "CosmosCompat"), Path.Combine(directory.FullName, "Interviews.Tests", "CosmosCompat") })
            {
                if (File.Exists(Path.Combine(candidate, "cosmos-compat-server.js")))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException($"cosmos-compat-server.js not found above {AppContext.BaseDirectory}.");
    }
}
