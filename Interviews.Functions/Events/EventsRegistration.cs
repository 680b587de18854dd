using Interviews.Domain;
using Interviews.Functions.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interviews.Functions.Events;

/// <summary>The events' services: the catalog of event types, the pump that dispatches them to the handlers' queues, their delivery and dead letters; features add their event types and handlers.</summary>
public static class EventsRegistration
{
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddSettings<EventPumpSettings>(EventPumpSettings.Section);
        services.AddSingleton<EventCatalog>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<EventPump>();
        services.AddSingleton<EventDelivery>();
        services.AddSingleton<IEnumerable<IEventHandler>>(sp =>
        [
            .. sp.GetServices<HandlerRegistration>().Where(r => r.Enabled(sp)).Select(r => (IEventHandler)sp.GetRequiredService(r.Type)),
        ]);
        return services;
    }

    /// <summary>Makes a feature's own event type known, so that it can be stored and delivered (the interviews' events always are).</summary>
    public static IServiceCollection AddEventType<TEvent>(this IServiceCollection services)
        where TEvent : IEvent =>
        services.AddSingleton(new EventType(typeof(TEvent)));

    /// <summary>
    /// Subscribes a handler: it gets the events of the types it implements <see cref="IEventHandler{TEvent}"/>
    /// for, in registration order with the others; <paramref name="enabled"/> leaves it out when the
    /// settings turn its feature off (no topic for integration events).
    /// </summary>
    public static IServiceCollection AddEventHandler<THandler>(this IServiceCollection services, Func<IServiceProvider, bool>? enabled = null)
        where THandler : class, IEventHandler
    {
        services.TryAddSingleton<THandler>();
        services.AddSingleton(new HandlerRegistration(typeof(THandler), enabled ?? (_ => true)));
        return services;
    }

    private sealed record HandlerRegistration(Type Type, Func<IServiceProvider, bool> Enabled);
}
