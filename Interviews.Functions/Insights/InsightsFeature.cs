using Interviews.Functions.Events;
using Interviews.Functions.Privacy;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Insights;

/// <summary>The insights feature's services: the monthly counters and their projector (an event handler).</summary>
public static class InsightsFeature
{
    public static IServiceCollection AddInsightsFeature(this IServiceCollection services)
    {
        services.AddSingleton<InsightsStore>();
        services.AddSingleton<IExportedRecordKinds, InsightsRecordKinds>();
        services.AddEventHandler<InsightsProjector>();
        return services;
    }
}
