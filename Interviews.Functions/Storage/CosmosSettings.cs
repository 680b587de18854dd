using Interviews.Functions.Settings;
using Azure.Identity;
using Microsoft.Azure.Cosmos;

namespace Interviews.Functions.Storage;

/// <summary>
/// Cosmos DB settings (section <c>Cosmos</c>). Setting <see cref="ConnectionString"/>, or
/// <see cref="AccountEndpoint"/> for a managed identity, selects the Cosmos DB store; without either
/// the embedded SQLite store is used (LocalHost only: the Functions app refuses to start).
/// </summary>
public sealed class CosmosSettings : ICheckedSettings
{
    public const string Section = "Cosmos";

    /// <summary>An account key connection string (<c>AccountEndpoint=…;AccountKey=…;</c>); wins over <see cref="AccountEndpoint"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The account endpoint, authenticated with <c>DefaultAzureCredential</c> (managed identity when deployed).</summary>
    public string? AccountEndpoint { get; set; }

    /// <summary>A user-assigned managed identity's client id; unset: the system-assigned identity.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>The database; unset: <c>databaseName</c> of infra/cosmos/containers.json (<c>interviews</c>).</summary>
    public string? DatabaseName { get; set; }

    /// <summary>Create the database and containers (from infra/cosmos/containers.json) at start-up when missing.</summary>
    public bool CreateIfNotExists { get; set; }

    /// <summary>Direct (TCP, the default) when deployed; Gateway (HTTPS) for the emulator and restricted networks.</summary>
    public ConnectionMode ConnectionMode { get; set; } = ConnectionMode.Direct;

    /// <summary>
    /// How often the SDK itself retries a throttled (429) request before it gives up and the API answers
    /// 503 with Retry-After. The SDK's default, 9.
    /// </summary>
    public int MaxRetryAttemptsOnRateLimitedRequests { get; set; } = 9;

    /// <summary>
    /// The most the SDK waits in total across those retries. 10 s, not the SDK's 30 s: an API caller is
    /// better served by a prompt 503 with Retry-After than by a request that hangs for half a minute.
    /// </summary>
    public TimeSpan MaxRetryWaitTimeOnRateLimitedRequests { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(AccountEndpoint);

    public IEnumerable<string> Problems()
    {
        if (MaxRetryAttemptsOnRateLimitedRequests is < 0 or > 100)
        {
            yield return $"Setting {Section}:MaxRetryAttemptsOnRateLimitedRequests must be from 0 to 100.";
        }

        if (MaxRetryWaitTimeOnRateLimitedRequests < TimeSpan.Zero || MaxRetryWaitTimeOnRateLimitedRequests > TimeSpan.FromMinutes(2))
        {
            yield return $"Setting {Section}:MaxRetryWaitTimeOnRateLimitedRequests must be a time span from 00:00:00 to 00:02:00.";
        }
    }

    /// <summary>The deployed app's own check: it stores its data in Cosmos DB only, so the settings must select it.</summary>
    public static IEnumerable<string> RequiredForDeployedApp(CosmosSettings settings)
    {
        if (!settings.IsConfigured)
        {
            yield return MissingMessage;
        }
    }

    /// <summary>The message of a host that needs Cosmos DB and has no settings for it.</summary>
    public static string MissingMessage =>
        $"Setting {Section}:ConnectionString (environment variable {Section}__ConnectionString) or {Section}:AccountEndpoint "
        + $"(with a managed identity; {Section}:ManagedIdentityClientId for a user-assigned one) is required: the Functions app stores its data in Cosmos DB.";

    /// <summary>The one client options of the app; tests start from these too.</summary>
    public CosmosClientOptions ClientOptions() => new()
    {
        ApplicationName = "interviews",
        ConnectionMode = ConnectionMode,
        MaxRetryAttemptsOnRateLimitedRequests = MaxRetryAttemptsOnRateLimitedRequests,
        MaxRetryWaitTimeOnRateLimitedRequests = MaxRetryWaitTimeOnRateLimitedRequests,
        // Documents go through the stream API as the seam's JSON; the serializer only writes query parameters.
        UseSystemTextJsonSerializerWithOptions = StorageJson.Options,
        // Writes need the new ETag, not the document back: less bandwidth, same RU.
        EnableContentResponseOnWrite = false,
    };

    /// <summary>The app's one <see cref="CosmosClient"/> (a singleton: it holds connections and caches).</summary>
    public CosmosClient CreateClient()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return new CosmosClient(ConnectionString, ClientOptions());
        }

        if (string.IsNullOrWhiteSpace(AccountEndpoint))
        {
            throw new InvalidOperationException(MissingMessage);
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ManagedIdentityClientId });
        return new CosmosClient(AccountEndpoint, credential, ClientOptions());
    }
}
