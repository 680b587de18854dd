using Azure.Identity;
using Azure.Storage.Queues;
using Interviews.Functions.Settings;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Queues;

/// <summary>The work queue: Azure Storage Queues when <see cref="WorkQueueSettings"/> names them, else the embedded queue of the SQLite file.</summary>
public static class QueuesRegistration
{
    public static IServiceCollection AddWorkQueues(this IServiceCollection services)
    {
        services.AddSettings<WorkQueueSettings>(WorkQueueSettings.Section);
        // The connection string is the section's own value, which binding a section does not read.
        services.AddOptions<WorkQueueSettings>().Configure<IConfiguration>((settings, configuration) =>
            settings.ConnectionString ??= configuration[WorkQueueSettings.Section]);
        services.AddSingleton(sp => new EmbeddedWorkQueue(sp.GetRequiredService<SqliteDocumentContainer>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IWorkQueue>(sp =>
        {
            var settings = sp.GetRequiredService<WorkQueueSettings>();
            if (!settings.IsConfigured)
            {
                return sp.GetRequiredService<EmbeddedWorkQueue>();
            }

            var service = !string.IsNullOrWhiteSpace(settings.ConnectionString)
                ? new QueueServiceClient(settings.ConnectionString, StorageWorkQueue.ClientOptions())
                : new QueueServiceClient(
                    settings.QueueServiceUri!,
                    new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ClientId }),
                    StorageWorkQueue.ClientOptions());
            return new StorageWorkQueue(service);
        });
        return services;
    }
}
