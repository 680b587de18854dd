using Azure.Identity;
using Azure.Messaging.EventGrid;
using Interviews.Functions.Events;
using Interviews.Functions.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interviews.Functions.Integration;

/// <summary>Integration events: every interview event published to Event Grid, when a topic is set.</summary>
public static class IntegrationFeature
{
    public static IServiceCollection AddIntegrationFeature(this IServiceCollection services)
    {
        services.AddSettings<EventGridSettings>(EventGridSettings.Section);
        services.TryAddSingleton(sp => CreatePublisher(sp.GetRequiredService<EventGridSettings>(), sp.GetRequiredService<IConfiguration>()));
        services.AddEventHandler<IntegrationEventPublisher>(sp => sp.GetRequiredService<EventGridSettings>().IsConfigured);
        return services;
    }

    /// <summary>Managed identity (DefaultAzureCredential, AZURE_CLIENT_ID) unless an access key is given.</summary>
    private static EventGridPublisherClient CreatePublisher(EventGridSettings settings, IConfiguration configuration) =>
        string.IsNullOrEmpty(settings.AccessKey)
            ? new EventGridPublisherClient(new Uri(settings.TopicEndpoint!), new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] }))
            : new EventGridPublisherClient(new Uri(settings.TopicEndpoint!), new Azure.AzureKeyCredential(settings.AccessKey));
}
