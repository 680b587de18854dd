using Interviews.Tests.Support;
using Interviews.Functions.Storage;
using Microsoft.Azure.Cosmos;

namespace Interviews.Tests.CosmosCompat;

/// <summary>
/// One Cosmos-protocol compat server (Node.js, in memory) per test class, and a client of it with the
/// app's own client options, switched to what the server speaks (Gateway mode, its one endpoint).
/// Its npm packages are installed on first use (<see cref="NodePackages"/>); without Node.js the tests skip with the reason.
/// </summary>
public sealed class CosmosCompatFixture : IAsyncLifetime
{
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
        var (directory, skip) = await NodePackages.EnsureAsync(Path.Combine("Interviews.Tests", "CosmosCompat"), Path.Combine("@vercel", "cosmosdb-server"));
        if (skip is not null)
        {
            SkipReason = skip;
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
}
