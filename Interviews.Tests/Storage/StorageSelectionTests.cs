using Interviews.Tests.Support;
using System.Reflection;
using Interviews.Functions.Hosting;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Storage;

/// <summary>Which backend the settings select, for the document seam and the feed's checkpoints alike.</summary>
public sealed class StorageSelectionTests : IDisposable
{
    // A loopback endpoint nothing listens on: building the client and the container sends no request.
    private const string ConnectionString = "AccountEndpoint=https://127.0.0.1:1/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;";

    private readonly TestFolder _folder = new();

    private string DatabasePath => _folder.Database();

    [Fact]
    public void Without_cosmos_settings_both_resolve_to_the_embedded_sqlite_store()
    {
        using var services = Build([]);
        var container = services.GetRequiredService<IDocumentContainer>();
        Assert.IsType<SqliteDocumentContainer>(container);
        Assert.Same(container, services.GetRequiredService<ICheckpointStore>());
    }

    [Theory]
    [InlineData("Cosmos:ConnectionString", ConnectionString)]
    [InlineData("Cosmos:AccountEndpoint", "https://127.0.0.1:1/")]
    public void A_connection_string_or_an_account_endpoint_selects_cosmos_for_both(string setting, string value)
    {
        using var services = Build(new() { [setting] = value });
        var container = services.GetRequiredService<IDocumentContainer>();
        Assert.IsType<CosmosDocumentContainer>(container);
        Assert.Same(container, services.GetRequiredService<ICheckpointStore>());
    }

    [Fact]
    public void The_functions_app_refuses_to_start_without_cosmos_settings_and_names_the_setting()
    {
        var entryPoint = typeof(InterviewsRegistration).Assembly.EntryPoint!;
        // Command-line settings win over the test folder's appsettings.json (LocalHost's, with a development key) and the environment.
        string[] args = ["--Auth:Development:SigningKey=", "--Cosmos:ConnectionString=", "--Cosmos:AccountEndpoint="];
        var thrown = Assert.Throws<TargetInvocationException>(() => entryPoint.Invoke(null, [args]));
        // Every section's problems are reported at once; the Cosmos DB one names both settings that select it.
        var failure = Assert.Single(
            Assert.IsType<AggregateException>(thrown.InnerException).InnerExceptions.OfType<Microsoft.Extensions.Options.OptionsValidationException>(),
            e => e.OptionsType == typeof(CosmosSettings));
        Assert.Contains("Cosmos:ConnectionString", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Cosmos:AccountEndpoint", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Containers_json_has_exactly_the_composite_indexes_the_interview_store_needs()
    {
        var documents = CosmosContainerDefinitions.Embedded[CosmosContainerDefinitions.DocumentsContainer];
        Assert.Equal("/userId", documents.PartitionKeyPath);
        Assert.Equal(-1, documents.DefaultTtl); // TTL on, no default: only documents with their own ttl expire
        static string Key(IReadOnlyList<CosmosCompositePath> paths) => string.Join(",", paths.Select(p => $"{p.Path} {p.Order}"));
        Assert.Equal(
            CosmosCompositePath.For(StorageIndexes.Documents).Select(Key).Order(),
            documents.IndexingPolicy!.CompositeIndexes!.Select(Key).Order());
        foreach (var large in new[] { "/interviewNotes/?", "/preparationNotes/?", "/rescheduleHistory/*", "/data/*", $"/{CosmosDocumentContainer.SummaryField}/*" })
        {
            Assert.Contains(documents.IndexingPolicy.ExcludedPaths!, p => p.Path == large);
        }

        var properties = documents.ToProperties();
        Assert.Equal(StorageIndexes.Documents.Count, properties.IndexingPolicy.CompositeIndexes.Count);
        var reminders = CosmosContainerDefinitions.Embedded[CosmosContainerDefinitions.RemindersContainer];
        Assert.Equal("/dueHour", reminders.PartitionKeyPath);
        Assert.Equal(
            CosmosCompositePath.For(StorageIndexes.Reminders).Select(Key).Order(),
            reminders.IndexingPolicy!.CompositeIndexes!.Select(Key).Order());
        Assert.Equal("/id", CosmosContainerDefinitions.Embedded[CosmosContainerDefinitions.LeasesContainer].PartitionKeyPath);
    }

    public void Dispose()
    {
        _folder.Dispose();
    }

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["Storage:SqlitePath"] = DatabasePath;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddMetrics()
            .AddInterviews()
            .BuildServiceProvider();
    }
}
