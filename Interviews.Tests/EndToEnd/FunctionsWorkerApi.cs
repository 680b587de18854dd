using Interviews.Functions.Hosting;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Interviews.Tests.CosmosCompat;
using Interviews.Tests.Support;
using Interviews.Tests.WorkerHost;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interviews.Tests.EndToEnd;

/// <summary>
/// The deployed artifact: the built Functions worker in its own process, driven by
/// <see cref="FunctionsWorkerHost"/>, with production settings only — Cosmos DB (the compat server, a
/// database of its own created at start), the Data Protection key ring in a blob and AzureWebJobsStorage
/// on Azurite, the OpenID Connect authority over HTTPS, whose certificate the worker process trusts
/// through <c>SSL_CERT_FILE</c>, and its telemetry exported to an OTLP collector. Its clock is the machine's.
/// </summary>
public sealed class FunctionsWorkerApi : ApiHost
{
    private readonly CosmosCompatFixture _cosmos = new();
    private Azurite? _azurite;
    private OtlpCollector? _telemetry;
    private string? _directory;
    private string? _skipReason;

    public FunctionsWorkerHost Host { get; private set; } = null!;

    public string DatabaseName { get; } = $"worker-{Guid.NewGuid():N}";

    public Azurite Storage => _azurite!;

    public OtlpCollector Telemetry => _telemetry!;

    public override string? SkipReason => _skipReason;

    public override DateTimeOffset Now => DateTimeOffset.UtcNow;

    public override ReminderStore Reminders
    {
        get
        {
            var settings = new CosmosSettings { DatabaseName = DatabaseName };
            var logger = NullLogger<CosmosDocumentContainer>.Instance;
            return new ReminderStore(
                CosmosDocumentContainer.CreateReminders(_cosmos.Client, settings, StorageIndexes.Reminders, logger, null),
                CosmosDocumentContainer.Create(_cosmos.Client, settings, StorageIndexes.Documents, logger, null));
        }
    }

    /// <summary>The worker's dead letters, read from its database on the compat server.</summary>
    public Interviews.Functions.Events.DeadLetters DeadLetters =>
        new(
            CosmosDocumentContainer.Create(_cosmos.Client, new CosmosSettings { DatabaseName = DatabaseName }, StorageIndexes.Documents, NullLogger<CosmosDocumentContainer>.Instance, null),
            new Interviews.Functions.Events.EventCatalog([]),
            TimeProvider.System);

    public override async Task PassAsync(DateTimeOffset instant)
    {
        var wait = instant - DateTimeOffset.UtcNow;
        if (wait >= TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Runs the timer once, then the queue functions on the work it queued, as the host's listeners would.</summary>
    public override async Task RunTimerAsync(string function)
    {
        await Host.InvokeTimerAsync(function, cancellationToken: TestContext.Current.CancellationToken);
        await Host.DrainQueuesAsync(WorkQueues, cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>The work queues on Azurite, base64-encoded as the host reads them.</summary>
    public Azure.Storage.Queues.QueueServiceClient WorkQueues =>
        new(Storage.ConnectionString, Interviews.Functions.Queues.StorageWorkQueue.ClientOptions());

    protected override HttpClient CreateClient() => Host.CreateClient();

    /// <summary>The deployed app's settings on this machine's stand-ins (<paramref name="directory"/>: the worker's working folder).</summary>
    public static Dictionary<string, string?> ProductionSettings(Uri cosmosEndpoint, string databaseName, string authority, string storage, string trustBundle, string directory)
    {
        var settings = EndToEndSettings.Common(authority);
        settings["Cosmos:ConnectionString"] = $"AccountEndpoint={cosmosEndpoint};AccountKey={CosmosCompatServer.Key};";
        settings["Cosmos:ConnectionMode"] = "Gateway";
        settings["Cosmos:DatabaseName"] = databaseName;
        settings["Cosmos:CreateIfNotExists"] = "true";
        settings["Cosmos:MaxRetryAttemptsOnRateLimitedRequests"] = "0";
        settings["AzureWebJobsStorage"] = storage;
        settings["WorkQueues"] = storage;
        settings["DataProtection:BlobConnectionString"] = storage;
        settings["Storage:SqlitePath"] = Path.Combine(directory, "never-used.db");
        settings["SSL_CERT_FILE"] = trustBundle;
        return settings;
    }

    protected override async Task StartAsync()
    {
        await _cosmos.InitializeAsync();
        _skipReason = _cosmos.SkipReason ?? await Azurite.UnavailableAsync();
        if (_skipReason is not null)
        {
            return;
        }

        _azurite = await Azurite.StartAsync();
        _telemetry = await OtlpCollector.StartAsync();
        _directory = Directory.CreateTempSubdirectory("functions-worker-").FullName;
        var settings = ProductionSettings(_cosmos.Client.Endpoint, DatabaseName, Authority.HttpsAuthority, _azurite.ConnectionString, Authority.WriteTrustBundle(_directory), _directory);
        foreach (var (key, value) in _telemetry.Settings)
        {
            settings[key] = value;
        }

        Host = await FunctionsWorkerHost.StartAsync(settings, _directory);
        TestContext.Current.SendDiagnosticMessage($"The Functions worker started in {Host.StartupTime.TotalSeconds:0.00} s.");
        await WaitUntilHealthyAsync();
    }

    /// <summary>
    /// The worker takes invocations as soon as its functions are loaded, while its start-up work (creating the
    /// database and containers, here) may still run: as a platform's health probe would, the tests start once
    /// health answers 200.
    /// </summary>
    private async Task WaitUntilHealthyAsync()
    {
        using var client = Host.CreateClient();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/api/health", TestContext.Current.CancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new InvalidOperationException($"The worker's health stayed {(int)response.StatusCode}.\n{Host.Diagnostics}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    protected override async ValueTask StopAsync()
    {
        if (Host is not null)
        {
            if (Environment.GetEnvironmentVariable("INTERVIEWS_WORKER_LOG") is { Length: > 0 } log)
            {
                await File.WriteAllTextAsync(log, Host.Diagnostics);
            }

            await Host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }

        await _cosmos.DisposeAsync();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FunctionsWorkerCollection : ICollectionFixture<FunctionsWorkerApi>
{
    public const string Name = "Functions worker";
}

[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostApi>
{
    public const string Name = "LocalHost";
}
