using Interviews.Functions.Privacy;
using Interviews.Functions.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Interviews;

/// <summary>The interviews feature's services: the store, the commands, idempotency and conflicts, and what it publishes to other features.</summary>
public static class InterviewsFeature
{
    public static IServiceCollection AddInterviewsFeature(this IServiceCollection services)
    {
        services.AddSettings<InterviewFeatureSettings>(InterviewFeatureSettings.Section);
        services.AddSingleton<InterviewStore>();
        services.AddSingleton<ConflictFinder>();
        services.AddSingleton<DebriefQuestions>();
        services.AddSingleton<InterviewCommands>();
        services.AddSingleton<Idempotency>();
        services.AddSingleton<InvitationLinks>();
        services.AddSingleton<IInterviewReader>(sp => sp.GetRequiredService<InterviewStore>());
        services.AddSingleton<IInterviewChanges>(sp => sp.GetRequiredService<InterviewCommands>());
        services.AddSingleton<IUserDataExporter, InterviewsExporter>();
        services.AddSingleton<IExportedRecordKinds, InterviewRecordKinds>();
        return services;
    }
}
