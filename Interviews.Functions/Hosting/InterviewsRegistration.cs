using Interviews.Functions.Api;
using Interviews.Functions.Auth;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        services.AddValidatedSettings();
        // Settings are read when first resolved, from the host's final configuration.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(StorageSettings.Section).Get<StorageSettings>() ?? new StorageSettings());
        services.AddSingleton<IDocumentContainer>(sp => new SqliteDocumentContainer(
            sp.GetRequiredService<StorageSettings>().SqlitePath, InterviewStore.Indexes, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<InterviewStore>();
        services.AddSingleton<InterviewCommands>();
        services.AddSingleton<BearerTokenValidator>();
        return services;
    }
}
