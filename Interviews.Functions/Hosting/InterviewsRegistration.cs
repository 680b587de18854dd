using Interviews.Functions.Insights;
using Interviews.Functions.Integration;
using Interviews.Functions.Interviews;
using System.Diagnostics.Metrics;
using Azure.Identity;
using Azure.Messaging.EventGrid;
using Interviews.Functions.Auth;
using Interviews.Functions.Calendar;
using Interviews.Functions.Events;
using Interviews.Functions.Reminders;
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
        services.AddValidatedSettings();
        // Settings are read when first resolved, from the host's final configuration.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(StorageSettings.Section).Get<StorageSettings>() ?? new StorageSettings());
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(CosmosSettings.Section).Get<CosmosSettings>() ?? new CosmosSettings());

        // The backend: Cosmos DB when its settings are given, else the embedded SQLite file. The feed's
        // checkpoints live in the same backend; reminders have a container of their own.
        services.AddSingleton(sp => new SqliteDocumentContainer(
            sp.GetRequiredService<StorageSettings>().SqlitePath, StorageIndexes.Documents, sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton(RemindersContainer, (sp, _) => new SqliteDocumentContainer(
            sp.GetRequiredService<StorageSettings>().SqlitePath, StorageIndexes.Reminders, sp.GetRequiredService<TimeProvider>(), "reminders"));
        services.AddSingleton(sp => sp.GetRequiredService<CosmosSettings>().CreateClient());
        services.AddSingleton(sp => CosmosDocumentContainer.Create(
            sp.GetRequiredService<CosmosClient>(),
            sp.GetRequiredService<CosmosSettings>(),
            StorageIndexes.Documents,
            sp.GetRequiredService<ILogger<CosmosDocumentContainer>>(),
            sp.GetService<IMeterFactory>()));
        services.AddKeyedSingleton(RemindersContainer, (sp, _) => CosmosDocumentContainer.CreateReminders(
            sp.GetRequiredService<CosmosClient>(),
            sp.GetRequiredService<CosmosSettings>(),
            StorageIndexes.Reminders,
            sp.GetRequiredService<ILogger<CosmosDocumentContainer>>(),
            sp.GetService<IMeterFactory>()));
        services.AddSingleton(SelectedBackend);
        services.AddSingleton(sp => (ICheckpointStore)SelectedBackend(sp));
        services.AddKeyedSingleton<IDocumentContainer>(RemindersContainer, (sp, key) => sp.GetRequiredService<CosmosSettings>().IsConfigured
            ? sp.GetRequiredKeyedService<CosmosDocumentContainer>(key)
            : sp.GetRequiredKeyedService<SqliteDocumentContainer>(key));
        services.AddHostedService<CosmosSetup>();
        services.AddSingleton<InterviewStore>();
        services.AddSingleton<InterviewCommands>();
        services.AddSingleton<IdempotencyStore>();
        InterviewFeatureSettings.Register(services);
        services.AddSingleton<ConflictFinder>();
        Privacy.MeApi.Register(services);
        services.AddSingleton<BearerTokenValidator>();

        // Events: the pump and its handlers. The integration-events publisher joins only when a topic is set.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(EventPumpSettings.Section).Get<EventPumpSettings>() ?? new EventPumpSettings());
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(EventGridSettings.Section).Get<EventGridSettings>() ?? new EventGridSettings());
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<EventPump>();
        services.AddSingleton<IEnumerable<IEventHandler>>(sp =>
        {
            var handlers = new List<IEventHandler> { sp.GetRequiredService<ReminderPlanner>(), sp.GetRequiredService<Calendar.CalendarSyncHandler>(), sp.GetRequiredService<InsightsProjector>() };
            if (sp.GetRequiredService<EventGridSettings>() is { IsConfigured: true } grid)
            {
                handlers.Add(new IntegrationEventPublisher(sp.GetService<EventGridPublisherClient>() ?? CreatePublisher(grid, sp.GetRequiredService<IConfiguration>())));
            }

            return handlers;
        });
        services.AddSingleton<ReminderPlanner>();
        services.AddSingleton<InsightsStore>();
        services.AddSingleton<InsightsProjector>();

        // Reminders.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(EmailSettings.Section).Get<EmailSettings>() ?? new EmailSettings());
        services.AddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddSingleton<NotificationSettingsStore>();
        services.AddSingleton(sp => new ReminderStore(sp.GetRequiredKeyedService<IDocumentContainer>(RemindersContainer), sp.GetRequiredService<IDocumentContainer>()));
        services.AddSingleton<ReminderSender>();
        services.AddCalendar();
        return services;
    }

    /// <summary>The key of the reminders container in the service collection.</summary>
    public const string RemindersContainer = "reminders";

    /// <summary>Managed identity (DefaultAzureCredential, AZURE_CLIENT_ID) unless an access key is given.</summary>
    private static EventGridPublisherClient CreatePublisher(EventGridSettings settings, IConfiguration configuration) =>
        string.IsNullOrEmpty(settings.AccessKey)
            ? new EventGridPublisherClient(new Uri(settings.TopicEndpoint!), new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] }))
            : new EventGridPublisherClient(new Uri(settings.TopicEndpoint!), new Azure.AzureKeyCredential(settings.AccessKey));

    private static IDocumentContainer SelectedBackend(IServiceProvider services) =>
        services.GetRequiredService<CosmosSettings>().IsConfigured
            ? services.GetRequiredService<CosmosDocumentContainer>()
            : services.GetRequiredService<SqliteDocumentContainer>();
}
