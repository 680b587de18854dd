using Interviews.Functions.Hosting;
using Interviews.Functions.Interviews;
using Interviews.Domain;
using Interviews.Functions.Storage;
using Interviews.Tests.CosmosCompat;
using Interviews.Tests.Support;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interviews.Tests.Storage;

/// <summary>
/// The contract on a real Cosmos DB endpoint (an account or the emulator) named by the environment
/// variable COSMOS_CONNECTION_STRING; each test gets its own containers in a database made for this
/// run and deleted after it. Without the variable every test is skipped with the reason.
/// </summary>
public sealed class CosmosDocumentContainerTests(CosmosAccountFixture account) : DocumentContainerContract, IClassFixture<CosmosAccountFixture>
{
    protected override async Task<IDocumentContainer> CreateContainerAsync()
    {
        var (documents, leases) = await CosmosTestContainers.CreateAsync(account.RequireDatabase(), Indexes);
        return new CosmosDocumentContainer(documents, leases, Indexes, NullLogger<CosmosDocumentContainer>.Instance);
    }
}

/// <summary>
/// The contract on the local Cosmos-protocol compat server (runs in CI), every write a TransactionalBatch
/// as in the app (the compat server decodes the SDK's HybridRow batch and applies it atomically).
/// </summary>
public sealed class CosmosCompatDocumentContainerTests(CosmosCompatFixture server) : DocumentContainerContract, IClassFixture<CosmosCompatFixture>
{
    protected override async Task<IDocumentContainer> CreateContainerAsync()
    {
        var (documents, leases) = await CosmosTestContainers.CreateAsync(await server.CreateDatabaseAsync(), Indexes);
        return new CosmosDocumentContainer(documents, leases, Indexes, NullLogger<CosmosDocumentContainer>.Instance);
    }
}

/// <summary>
/// The interview store's list queries against containers created from infra/cosmos/containers.json on
/// the compat server, whose SQL engine, like Cosmos DB, refuses an ORDER BY over several fields that
/// no composite index matches exactly.
/// </summary>
public sealed class CosmosCompatInterviewStoreTests(CosmosCompatFixture server) : IClassFixture<CosmosCompatFixture>
{
    private static readonly Guid User = Guid.NewGuid();
    private static readonly Guid ApplicationA = Guid.NewGuid();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_created_container_has_the_indexing_policy_and_ttl_of_containers_json()
    {
        var database = await server.CreateDatabaseAsync();
        await CosmosSetup.CreateIfNotExistsAsync(server.Client, database.Id, CosmosContainerDefinitions.Embedded.Containers.Select(c => c.ToProperties()), Token);
        ContainerProperties properties = await database.GetContainer(CosmosContainerDefinitions.DocumentsContainer).ReadContainerAsync(cancellationToken: Token);
        Assert.Equal("/userId", properties.PartitionKeyPath);
        Assert.Equal(-1, properties.DefaultTimeToLive);
        Assert.Equal(StorageIndexes.Documents.Count, properties.IndexingPolicy.CompositeIndexes.Count);
        Assert.Contains(properties.IndexingPolicy.ExcludedPaths, p => p.Path == "/interviewNotes/?");
    }

    [Fact]
    public async Task List_queries_with_every_filter_page_through_the_production_indexes()
    {
        var store = await CreateStoreAsync();
        var applicationB = Guid.NewGuid();
        var start = InterviewBuilder.ScheduledOn.AddDays(3);
        var interviews = new List<Interview>();
        for (var i = 0; i < 6; i++)
        {
            var interview = new InterviewBuilder()
                .ForUser(User)
                .ForApplication(i % 2 == 0 ? ApplicationA : applicationB)
                .OfType(i % 3 == 0 ? "InPerson" : "Video")
                .ScheduledFor(start.AddHours(i))
                .Build(i == 5 ? InterviewStatus.Cancelled : InterviewStatus.Scheduled);
            Assert.True((await store.CreateAsync(interview, Token)).Saved);
            interviews.Add(interview);
        }

        async Task<List<Guid>> ListAll(InterviewQuery query)
        {
            var ids = new List<Guid>();
            DocumentCursor? cursor = null;
            do
            {
                var page = await store.ListAsync(User, query with { Limit = 2, After = cursor }, Token);
                ids.AddRange(page.Items.Select(x => x.Id));
                cursor = page.Next;
            }
            while (cursor is not null);
            return ids;
        }

        List<Guid> Expected(Func<int, bool> which) => [.. Enumerable.Range(0, 6).Where(which).Select(i => interviews[i].Id)];

        Assert.Equal(Expected(_ => true), await ListAll(new InterviewQuery()));
        Assert.Equal(Expected(i => i < 5), await ListAll(new InterviewQuery(Statuses: [InterviewStatus.Scheduled])));
        Assert.Equal(Expected(_ => true), await ListAll(new InterviewQuery(Statuses: [InterviewStatus.Scheduled, InterviewStatus.Cancelled])));
        Assert.Equal(Expected(i => i % 2 == 0), await ListAll(new InterviewQuery(ApplicationId: ApplicationA)));
        Assert.Equal(Expected(i => i % 3 == 0), await ListAll(new InterviewQuery(InterviewType: InterviewType.InPerson)));
        Assert.Equal(Expected(i => i is >= 1 and < 4), await ListAll(new InterviewQuery(ScheduledFrom: start.AddHours(1), ScheduledBefore: start.AddHours(4))));
        Assert.Equal(Expected(i => i % 2 == 0 && i < 5), await ListAll(new InterviewQuery(Statuses: [InterviewStatus.Scheduled], ApplicationId: ApplicationA)));

        var read = await store.GetAsync(User, interviews[0].Id, Token);
        Assert.NotNull(read);
        Assert.Equal(interviews[0].ScheduledAt, read.Interview.ScheduledAt);
    }

    private async Task<InterviewStore> CreateStoreAsync()
    {
        var database = await server.CreateDatabaseAsync();
        await CosmosSetup.CreateIfNotExistsAsync(server.Client, database.Id, CosmosContainerDefinitions.Embedded.Containers.Select(c => c.ToProperties()), Token);
        var container = new CosmosDocumentContainer(
            database.GetContainer(CosmosContainerDefinitions.DocumentsContainer),
            database.GetContainer(CosmosContainerDefinitions.LeasesContainer),
            InterviewStore.Indexes,
            NullLogger<CosmosDocumentContainer>.Instance);
        return InterviewStores.Over(container, new StorageSettings());
    }
}

/// <summary>The database of one run against a real Cosmos DB endpoint, deleted after the run.</summary>
public sealed class CosmosAccountFixture : IAsyncLifetime
{
    public const string Variable = "COSMOS_CONNECTION_STRING";

    private CosmosClient? _client;
    private Database? _database;

    public Database RequireDatabase()
    {
        if (_database is null)
        {
            Assert.Skip($"{Variable} is not set: the contract runs against a real Cosmos DB endpoint (an account or the emulator) only when it names one.");
        }

        return _database;
    }

    public async ValueTask InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        var options = new CosmosSettings { ConnectionMode = ConnectionMode.Gateway }.ClientOptions();
        var endpoint = new Uri(connectionString.Split(';').Select(p => p.Trim()).First(p => p.StartsWith("AccountEndpoint=", StringComparison.OrdinalIgnoreCase))["AccountEndpoint=".Length..]);
        if (endpoint.IsLoopback)
        {
            // The emulator: its own self-signed certificate, and no other regions to discover.
            options.ServerCertificateCustomValidationCallback = (_, _, _) => true;
            options.LimitToEndpoint = true;
        }

        _client = new CosmosClient(connectionString, options);
        _database = (await _client.CreateDatabaseAsync($"interviews-test-{Guid.NewGuid():N}")).Database;
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DeleteAsync();
        }

        _client?.Dispose();
    }
}

/// <summary>Creates a test's containers: the documents container with the given indexes, and leases, as containers.json defines them.</summary>
public static class CosmosTestContainers
{
    public static async Task<(Container Documents, Container Leases)> CreateAsync(Database database, IReadOnlyList<IndexDefinition> indexes)
    {
        var suffix = Guid.NewGuid().ToString("N");
        var production = CosmosContainerDefinitions.Embedded[CosmosContainerDefinitions.DocumentsContainer];
        var documents = production with
        {
            IndexingPolicy = production.IndexingPolicy! with { CompositeIndexes = CosmosCompositePath.For(indexes) },
        };
        var token = TestContext.Current.CancellationToken;
        Container created = await database.CreateContainerAsync(documents.ToProperties("documents-" + suffix), cancellationToken: token);
        Container leases = await database.CreateContainerAsync(CosmosContainerDefinitions.Embedded[CosmosContainerDefinitions.LeasesContainer].ToProperties("leases-" + suffix), cancellationToken: token);
        return (created, leases);
    }
}

/// <summary>
/// The reminders container on the compat server, created from containers.json: partitioned by the
/// due hour, and the sender's query (pending reminders of an hour, soonest first) served by its index.
/// </summary>
public sealed class CosmosCompatReminderStoreTests(CosmosCompatFixture server) : IClassFixture<CosmosCompatFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pending_reminders_of_an_hour_come_back_soonest_first()
    {
        var database = await server.CreateDatabaseAsync();
        await CosmosSetup.CreateIfNotExistsAsync(server.Client, database.Id, CosmosContainerDefinitions.Embedded.Containers.Select(c => c.ToProperties()), Token);
        var settings = new CosmosSettings { DatabaseName = database.Id };
        var reminders = CosmosDocumentContainer.CreateReminders(server.Client, settings, StorageIndexes.Reminders, NullLogger<CosmosDocumentContainer>.Instance, null);
        var documents = CosmosDocumentContainer.Create(server.Client, settings, StorageIndexes.Documents, NullLogger<CosmosDocumentContainer>.Instance, null);
        ContainerProperties properties = await database.GetContainer(CosmosContainerDefinitions.RemindersContainer).ReadContainerAsync(cancellationToken: Token);
        Assert.Equal("/dueHour", properties.PartitionKeyPath);

        var store = new Interviews.Functions.Reminders.ReminderStore(reminders, documents);
        var hour = "2026-03-10T13";
        var start = new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero);
        foreach (var (id, minutes, status) in new[] { ("c", 40, "Due"), ("a", 5, "Due"), ("b", 20, "Sent"), ("d", 30, "Sending") })
        {
            var reminder = new Interviews.Functions.Reminders.Reminder(Guid.NewGuid(), Guid.NewGuid(), Interviews.Functions.Reminders.ReminderKind.Before, 60, start.AddMinutes(minutes), start.AddMinutes(minutes),
                Enum.Parse<Interviews.Functions.Reminders.ReminderStatus>(status), 0, null, null);
            await store.CreateAsync(hour, id, reminder, Token);
        }

        var pending = await store.PendingAsync(hour, Token);
        Assert.Equal(["a", "d", "c"], pending.Select(p => p.Id));
        Assert.Empty(await store.PendingAsync("2026-03-10T14", Token));
    }
}
