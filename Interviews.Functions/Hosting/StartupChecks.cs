using Interviews.Functions.Auth;
using Interviews.Functions.Queues;
using Interviews.Functions.Settings;
using Interviews.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Interviews.Functions.Hosting;

/// <summary>What each host checks before it serves anything, so that a bad setting fails start-up with its name, never the first request.</summary>
public static class StartupChecks
{
    /// <summary>
    /// The deployed Functions app's own settings: it stores its data in Cosmos DB only (without its
    /// settings it would fall back to a SQLite file on the instance's disk), hands its background work to
    /// Azure Storage Queues (its queue triggers listen there) and trusts only its OpenID
    /// Connect authority (a development key would let anyone mint tokens).
    /// </summary>
    public static IServiceCollection AddDeployedAppSettings(this IServiceCollection services)
    {
        services.AddSettingsCheck<CosmosSettings>(CosmosSettings.RequiredForDeployedApp);
        services.AddSettingsCheck<AuthSettings>(AuthSettings.RequiredForDeployedApp);
        services.AddSettingsCheck<WorkQueueSettings>(WorkQueueSettings.RequiredForDeployedApp);
        services.AddSingleton(sp => sp.GetRequiredService<AuthSettings>().ForAuthority());
        return services;
    }

    /// <summary>
    /// Checks every settings section (each failure names its setting), then builds the token validation
    /// (an unsafe authority, a missing key) and opens the store (a bad path, a broken file).
    /// </summary>
    public static void Run(IServiceProvider services)
    {
        services.GetService<IStartupValidator>()?.Validate();
        services.GetRequiredService<BearerTokenValidator>();
        services.GetRequiredService<IDocumentContainer>();
    }
}
