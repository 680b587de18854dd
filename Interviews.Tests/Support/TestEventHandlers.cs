using Interviews.Functions.Events;
using Interviews.Functions.Hosting;
using Interviews.Functions.Reminders;
using Interviews.LocalHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Support;

/// <summary>The queue function of a test's own event handler, as a feature writes one for its handler.</summary>
public sealed class TestEventQueueFunction<THandler>(EventDelivery delivery, THandler handler)
    where THandler : class, IEventHandler
{
    public Task Deliver(string message, CancellationToken cancellationToken) => delivery.DeliverAsync(handler, message, cancellationToken);
}

/// <summary>Puts a test's own handler beside the reminder planner: the pump dispatches to its queue and LocalHost's queue runner delivers from it.</summary>
public static class TestEventHandlers
{
    public static Action<IServiceCollection> BesideThePlanner<THandler>(THandler handler)
        where THandler : class, IEventHandler =>
        services =>
        {
            services.AddSingleton(handler);
            services.AddSingleton<IEnumerable<IEventHandler>>(sp => [sp.GetRequiredService<ReminderPlanner>(), handler]);
            services.AddSingleton<IReadOnlyList<LocalQueueFunction>>(sp =>
            [
                .. FunctionQueues.Find(typeof(InterviewsRegistration).Assembly, sp.GetRequiredService<IConfiguration>()),
                new LocalQueueFunction(
                    $"Test{handler.Name}",
                    typeof(TestEventQueueFunction<THandler>),
                    typeof(TestEventQueueFunction<THandler>).GetMethod(nameof(TestEventQueueFunction<THandler>.Deliver))!,
                    EventQueues.Of(handler)),
            ]);
        };
}
