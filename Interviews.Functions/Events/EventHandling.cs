using System.Collections.Concurrent;
using System.Reflection;
using Interviews.Domain;

namespace Interviews.Functions.Events;

/// <summary>
/// Something that reacts to events. It subscribes by implementing <see cref="IEventHandler{TEvent}"/>
/// for each event type it wants (an interface such as <see cref="IDomainEvent"/> subscribes to every
/// event of that kind); other events never reach it. Delivery is at least once, in order per interview,
/// so a handler must be idempotent: handling the same event twice has the effect of handling it once.
/// Each handler reads the feed with its own checkpoint, so a failing one holds back only itself.
/// </summary>
public interface IEventHandler
{
    /// <summary>A stable name: the handler's checkpoint and dead letters are kept under it.</summary>
    string Name { get; }
}

/// <summary>A handler's subscription to events of type <typeparamref name="TEvent"/>.</summary>
public interface IEventHandler<in TEvent> : IEventHandler
    where TEvent : IEvent
{
    Task HandleAsync(TEvent recorded, CancellationToken cancellationToken);
}

/// <summary>
/// Hands an event to a handler through the subscription that fits it best: the handler's
/// <see cref="IEventHandler{TEvent}"/> of the event's own type, else of the most derived interface or
/// base type it has. Found once per handler type and event type.
/// </summary>
public static class EventDispatch
{
    private static readonly ConcurrentDictionary<(Type Handler, Type Event), Func<IEventHandler, IEvent, CancellationToken, Task>?> Subscriptions = new();

    private static readonly MethodInfo InvokeMethod = typeof(EventDispatch).GetMethod(nameof(Invoke), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Whether <paramref name="handler"/> subscribes to events of <paramref name="eventType"/>.</summary>
    public static bool Handles(IEventHandler handler, Type eventType) => SubscriptionOf(handler.GetType(), eventType) is not null;

    /// <summary>Delivers <paramref name="recorded"/>; false (nothing done) when the handler does not subscribe to its type.</summary>
    public static async Task<bool> DeliverAsync(IEventHandler handler, IEvent recorded, CancellationToken cancellationToken)
    {
        if (SubscriptionOf(handler.GetType(), recorded.GetType()) is not { } deliver)
        {
            return false;
        }

        await deliver(handler, recorded, cancellationToken);
        return true;
    }

    private static Func<IEventHandler, IEvent, CancellationToken, Task>? SubscriptionOf(Type handlerType, Type eventType) =>
        Subscriptions.GetOrAdd((handlerType, eventType), key =>
        {
            var subscribed = key.Handler.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventHandler<>))
                .Select(i => i.GetGenericArguments()[0])
                .Where(t => t.IsAssignableFrom(key.Event))
                .ToList();
            if (subscribed.Count == 0)
            {
                return null;
            }

            // The most specific: a type no other subscribed type derives from.
            var best = subscribed.Single(t => !subscribed.Any(other => other != t && t.IsAssignableFrom(other)));
            return InvokeMethod.MakeGenericMethod(best).CreateDelegate<Func<IEventHandler, IEvent, CancellationToken, Task>>();
        });

    private static Task Invoke<TEvent>(IEventHandler handler, IEvent recorded, CancellationToken cancellationToken)
        where TEvent : IEvent =>
        ((IEventHandler<TEvent>)handler).HandleAsync((TEvent)recorded, cancellationToken);
}
