using System.Diagnostics.Metrics;
using Interviews.Functions.Settings;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Storage;

/// <summary>
/// The storage backends: Cosmos DB when its settings are given, else the embedded SQLite file. The
/// main container (<see cref="IDocumentContainer"/>) holds every user's partition and the feed's
/// checkpoints; the reminders container is keyed, partitioned by the hour reminders are due.
/// </summary>
public static class StorageRegistration
{
    /// <param name="documentIndexes">Every index the typed stores of the main container query.</param>
    /// <param name="remindersKey">The service key of the reminders container.</param>
    /// <param name="reminderIndexes">The indexes of the reminders container.</param>
    public static IServiceCollection AddStorage(
        this IServiceCollection services, IReadOnlyList<IndexDefinition> documentIndexes, string remindersKey, IReadOnlyList<IndexDefinition> reminderIndexes)
    {
        services.AddSettings<StorageSettings>(StorageSettings.Section);
        services.AddSettings<CosmosSettings>(CosmosSettings.Section);
        services.AddSingleton(sp => Sqlite(sp, documentIndexes, "documents"));
        services.AddKeyedSingleton(remindersKey, (sp, _) => Sqlite(sp, reminderIndexes, "reminders"));
        services.AddSingleton(sp => sp.GetRequiredService<CosmosSettings>().CreateClient());
        services.AddSingleton(sp => CosmosDocumentContainer.Create(
            sp.GetRequiredService<CosmosClient>(), sp.GetRequiredService<CosmosSettings>(), documentIndexes, sp.GetRequiredService<ILogger<CosmosDocumentContainer>>(), sp.GetService<IMeterFactory>()));
        services.AddKeyedSingleton(remindersKey, (sp, _) => CosmosDocumentContainer.CreateReminders(
            sp.GetRequiredService<CosmosClient>(), sp.GetRequiredService<CosmosSettings>(), reminderIndexes, sp.GetRequiredService<ILogger<CosmosDocumentContainer>>(), sp.GetService<IMeterFactory>()));
        services.AddSingleton(Selected);
        services.AddSingleton(sp => (ICheckpointStore)Selected(sp));
        services.AddKeyedSingleton<IDocumentContainer>(remindersKey, (sp, key) => sp.GetRequiredService<CosmosSettings>().IsConfigured
            ? sp.GetRequiredKeyedService<CosmosDocumentContainer>(key)
            : sp.GetRequiredKeyedService<SqliteDocumentContainer>(key));
        services.AddHostedService<CosmosSetup>();
        return services;
    }

    private static SqliteDocumentContainer Sqlite(IServiceProvider services, IReadOnlyList<IndexDefinition> indexes, string table)
    {
        var settings = services.GetRequiredService<StorageSettings>();
        return new SqliteDocumentContainer(settings.SqlitePath, indexes, services.GetRequiredService<TimeProvider>(), table, settings.SqliteWriteTimeout);
    }

    private static IDocumentContainer Selected(IServiceProvider services) =>
        services.GetRequiredService<CosmosSettings>().IsConfigured
            ? services.GetRequiredService<CosmosDocumentContainer>()
            : services.GetRequiredService<SqliteDocumentContainer>();
}
