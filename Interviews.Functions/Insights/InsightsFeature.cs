using Interviews.Functions.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Insights;

/// <summary>The insights feature's services: the monthly counters and their projector (an event handler).</summary>
public static class InsightsFeature
{
    public static IServiceCollection AddInsightsFeature(this IServiceCollection services)
    {
        services.AddSingleton<InsightsStore>();
        services.AddEventHandler<InsightsProjector>();
        return services;
    }
}
