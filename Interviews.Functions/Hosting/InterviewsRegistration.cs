using System.Diagnostics.Metrics;
using Interviews.Functions.Api;
using Interviews.Functions.Auth;
using Interviews.Functions.Storage;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Hosting;

/// <summary>
/// The services both hosts share. Each host adds what differs: the token validation parameters
/// (the Functions app: an OpenID Connect authority only; LocalHost: also a development key).
/// </summary>
public static class InterviewsRegistration
{
    public static IServiceCollection AddInterviews(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Settings are read when first resolved, from the host's final configuration.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(StorageSettings.Section).Get<StorageSettings>() ?? new StorageSettings());
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(CosmosSettings.Section).Get<CosmosSettings>() ?? new CosmosSettings());

        // The backend: Cosmos DB when its settings are given, else the embedded SQLite file. The feed's
        // checkpoints live in the same backend.
        services.AddSingleton(sp => new SqliteDocumentContainer(
            sp.GetRequiredService<StorageSettings>().SqlitePath, InterviewStore.Indexes, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => sp.GetRequiredService<CosmosSettings>().CreateClient());
        services.AddSingleton(sp => CosmosDocumentContainer.Create(
            sp.GetRequiredService<CosmosClient>(),
            sp.GetRequiredService<CosmosSettings>(),
            InterviewStore.Indexes,
            sp.GetRequiredService<ILogger<CosmosDocumentContainer>>(),
            sp.GetService<IMeterFactory>()));
        services.AddSingleton(SelectedBackend);
        services.AddSingleton(sp => (ICheckpointStore)SelectedBackend(sp));
        services.AddHostedService<CosmosSetup>();
        services.AddSingleton<InterviewStore>();
        services.AddSingleton<InterviewCommands>();
        services.AddSingleton<BearerTokenValidator>();
        return services;
    }

    private static IDocumentContainer SelectedBackend(IServiceProvider services) =>
        services.GetRequiredService<CosmosSettings>().IsConfigured
            ? services.GetRequiredService<CosmosDocumentContainer>()
            : services.GetRequiredService<SqliteDocumentContainer>();
}
