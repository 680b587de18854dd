using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Privacy;

/// <summary>The privacy feature's services: a user's export and erasure over every feature's <see cref="IUserDataExporter"/> and <see cref="IUserDataEraser"/>.</summary>
public static class PrivacyFeature
{
    public static IServiceCollection AddPrivacyFeature(this IServiceCollection services)
    {
        services.AddSingleton<UserData>();
        services.AddSingleton<IUserDataExporter, StoredRecordsExporter>();
        services.AddSingleton<IUserDataEraser, DeadLettersEraser>();
        return services;
    }
}
