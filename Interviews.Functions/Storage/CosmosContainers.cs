using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Storage;

/// <summary>
/// The database and containers as <c>infra/cosmos/containers.json</c> defines them — the one place of
/// the indexing policy, shared with the infrastructure templates and embedded in this assembly.
/// </summary>
public sealed record CosmosContainerDefinitions(string DatabaseName, IReadOnlyList<CosmosContainerDefinition> Containers)
{
    public const string DocumentsContainer = "interviews";
    public const string LeasesContainer = "leases";
    public const string RemindersContainer = "reminders";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };

    /// <summary>The definitions embedded from infra/cosmos/containers.json.</summary>
    public static CosmosContainerDefinitions Embedded { get; } = Load();

    public CosmosContainerDefinition this[string name] =>
        Containers.FirstOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"infra/cosmos/containers.json defines no container '{name}'.");

    private static CosmosContainerDefinitions Load()
    {
        using var stream = typeof(CosmosContainerDefinitions).Assembly.GetManifestResourceStream("Interviews.Functions.Storage.containers.json")
            ?? throw new InvalidOperationException("The embedded infra/cosmos/containers.json is missing.");
        return JsonSerializer.Deserialize<CosmosContainerDefinitions>(stream, Json)
            ?? throw new InvalidOperationException("infra/cosmos/containers.json is empty.");
    }
}

/// <summary>One container of containers.json. <see cref="DefaultTtl"/>: -1 turns TTL on without a default expiry, so that item-level <c>ttl</c> applies.</summary>
public sealed record CosmosContainerDefinition(string Name, string PartitionKeyPath, int? DefaultTtl, CosmosIndexingPolicy? IndexingPolicy)
{
    /// <summary>The SDK's properties of this container, optionally under another name (tests).</summary>
    public ContainerProperties ToProperties(string? name = null)
    {
        var properties = new ContainerProperties(name ?? Name, PartitionKeyPath) { DefaultTimeToLive = DefaultTtl };
        if (IndexingPolicy is { } policy)
        {
            policy.ApplyTo(properties.IndexingPolicy);
        }

        return properties;
    }
}

/// <summary>The indexing policy in the REST/ARM JSON shape.</summary>
public sealed record CosmosIndexingPolicy(
    string? IndexingMode,
    bool? Automatic,
    IReadOnlyList<CosmosIndexPath>? IncludedPaths,
    IReadOnlyList<CosmosIndexPath>? ExcludedPaths,
    IReadOnlyList<IReadOnlyList<CosmosCompositePath>>? CompositeIndexes)
{
    public void ApplyTo(IndexingPolicy target)
    {
        target.IndexingMode = IndexingMode is null ? Microsoft.Azure.Cosmos.IndexingMode.Consistent : Enum.Parse<IndexingMode>(IndexingMode, ignoreCase: true);
        target.Automatic = Automatic ?? true;
        if (IncludedPaths is not null)
        {
            target.IncludedPaths.Clear();
            foreach (var path in IncludedPaths)
            {
                target.IncludedPaths.Add(new IncludedPath { Path = path.Path });
            }
        }

        foreach (var path in ExcludedPaths ?? [])
        {
            target.ExcludedPaths.Add(new ExcludedPath { Path = path.Path });
        }

        foreach (var composite in CompositeIndexes ?? [])
        {
            target.CompositeIndexes.Add(new Collection<CompositePath>([.. composite.Select(p => p.ToSdk())]));
        }
    }
}

public sealed record CosmosIndexPath(string Path);

public sealed record CosmosCompositePath(string Path, [property: JsonPropertyName("order")] string? Order)
{
    public CompositePath ToSdk() => new()
    {
        Path = Path,
        Order = string.Equals(Order, "descending", StringComparison.OrdinalIgnoreCase) ? CompositePathSortOrder.Descending : CompositePathSortOrder.Ascending,
    };

    /// <summary>
    /// The composite indexes that <see cref="CosmosDocumentContainer"/>'s queries need for these index
    /// definitions: <c>(kind, equality fields…, order field, id)</c>, all ascending — a Cosmos DB query
    /// ordered by several fields must match a composite index exactly.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<CosmosCompositePath>> For(IEnumerable<IndexDefinition> indexes) =>
    [
        .. indexes.Select(index => (IReadOnlyList<CosmosCompositePath>)
        [
            .. new[] { CosmosDocumentContainer.KindField }.Concat(index.EqualityFields).Append(index.OrderField).Append("id")
                .Select(field => new CosmosCompositePath("/" + field, "ascending")),
        ]),
    ];
}

/// <summary>
/// Creates the database and the containers of containers.json when they are missing, at start-up and
/// only when <see cref="CosmosSettings.CreateIfNotExists"/> is set (deployments create them with the
/// infrastructure templates; an existing container's policy is left as it is).
/// </summary>
public sealed partial class CosmosSetup(IServiceProvider services, CosmosSettings settings, ILogger<CosmosSetup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.IsConfigured || !settings.CreateIfNotExists)
        {
            return;
        }

        // Resolved here, not injected: with SQLite selected there is no client to build.
        var client = services.GetRequiredService<CosmosClient>();
        var definitions = CosmosContainerDefinitions.Embedded;
        var databaseName = settings.DatabaseName ?? definitions.DatabaseName;
        await CreateIfNotExistsAsync(client, databaseName, definitions.Containers.Select(c => c.ToProperties()), cancellationToken);
        LogCreated(logger, databaseName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task CreateIfNotExistsAsync(CosmosClient client, string databaseName, IEnumerable<ContainerProperties> containers, CancellationToken cancellationToken)
    {
        Database database = await client.CreateDatabaseIfNotExistsAsync(databaseName, cancellationToken: cancellationToken);
        foreach (var container in containers)
        {
            await database.CreateContainerIfNotExistsAsync(container, cancellationToken: cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cosmos DB database {Database} and its containers exist")]
    private static partial void LogCreated(ILogger logger, string database);
}
