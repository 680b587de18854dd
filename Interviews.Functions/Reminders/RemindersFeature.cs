using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using Interviews.Functions.Privacy;
using Interviews.Functions.Settings;
using Interviews.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Reminders;

/// <summary>The reminders feature's services: notification settings, the planner (an event handler), the dispatcher, the sender and its SMTP connection pool.</summary>
public static class RemindersFeature
{
    /// <summary>The key of the reminders container (partitioned by due hour) in the service collection.</summary>
    public const string Container = "reminders";

    public static IServiceCollection AddRemindersFeature(this IServiceCollection services)
    {
        services.AddSettings<EmailSettings>(EmailSettings.Section);
        services.AddEventType<NotificationSettingsChanged>();
        services.AddSingleton<NotificationSettingsStore>();
        services.AddSingleton<IScheduleCompanion, TokenEmailCompanion>();
        services.AddSingleton(sp => new ReminderStore(sp.GetRequiredKeyedService<IDocumentContainer>(Container), sp.GetRequiredService<IDocumentContainer>()));
        services.AddEventHandler<ReminderPlanner>();
        services.AddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddSingleton<ReminderSender>();
        services.AddSingleton<ReminderDispatcher>();
        services.AddSingleton<IUserDataExporter, RemindersExporter>();
        services.AddSingleton<IUserDataEraser, RemindersEraser>();
        return services;
    }
}
