using Interviews.Functions.Auth;
using Interviews.Functions.Calendar;
using Interviews.Functions.Events;
using Interviews.Functions.Insights;
using Interviews.Functions.Integration;
using Interviews.Functions.Interviews;
using Interviews.Functions.Operations;
using Interviews.Functions.Privacy;
using Interviews.Functions.Queues;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interviews.Functions.Hosting;

/// <summary>
/// The composition root both hosts share: the shared services, then one registration per feature, in
/// the order their event handlers, exporters and erasers run. Each host adds what differs: the token
/// validation parameters (the Functions app: an OpenID Connect authority only; LocalHost: also a
/// development key) and its own checks.
/// </summary>
public static class InterviewsRegistration
{
    public static IServiceCollection AddInterviews(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorage(StorageIndexes.Documents, RemindersFeature.Container, StorageIndexes.Reminders);
        services.AddWorkQueues();
        services.AddEvents();
        services.AddAuth();
        services.AddInterviewsFeature();
        services.AddRemindersFeature();
        services.AddCalendarFeature();
        services.AddInsightsFeature();
        services.AddIntegrationFeature();
        services.AddPrivacyFeature();
        services.AddOperationsFeature();
        return services;
    }
}
