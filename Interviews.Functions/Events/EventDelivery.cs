using System.Text;
using System.Text.Json;
using Interviews.Functions.Diagnostics;
using Interviews.Functions.Queues;
using Interviews.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Events;

/// <summary>The queues the event pump fills: one per handler, <c>events-{handler name}</c>.</summary>
public static class EventQueues
{
    /// <summary>The prefix of every handler's queue; a queue trigger names <c>Prefix + HandlerName</c>.</summary>
    public const string Prefix = "events-";

    public static string Of(IEventHandler handler) => Prefix + handler.Name;
}

/// <summary>
/// An event in a handler's queue: the outbox record (without its data when that would not fit in a
/// queue message: the handler then reads it from the outbox) and which attempt this is.
/// </summary>
public sealed record QueuedEvent(DeliveredEvent Event, int Attempt, bool DataInOutbox)
{
    private static readonly JsonElement NoData = JsonSerializer.SerializeToElement<object?>(null);

    public static string Serialize(DeliveredEvent domainEvent, int attempt)
    {
        var text = JsonSerializer.Serialize(new QueuedEvent(domainEvent, attempt, false), StorageJson.Options);
        return Encoding.UTF8.GetByteCount(text) <= WorkQueues.MaxMessageBytes
            ? text
            : JsonSerializer.Serialize(new QueuedEvent(domainEvent with { Data = NoData }, attempt, true), StorageJson.Options);
    }

    public static QueuedEvent Parse(string message) =>
        JsonSerializer.Deserialize<QueuedEvent>(message, StorageJson.Options) ?? throw new JsonException("The queued event is empty.");
}

/// <summary>
/// Hands a queued event to its handler: what a handler's queue-triggered function does. A failure puts
/// the event back in the queue with a doubling delay (<see cref="EventPumpSettings.FirstRetryDelay"/>)
/// as a new message that counts the attempt, and after <see cref="EventPumpSettings.MaxAttempts"/>
/// attempts parks it as a dead letter with its error; either way the failing event holds back nothing
/// else. A message that keeps stopping its process (it never fails, it never finishes) is moved by the
/// host to the poison queue after the host's dequeue limit, and parked from there (<see cref="ParkPoisonAsync"/>).
/// Handlers work from the interview's current state, so a repeated or late event changes nothing.
/// </summary>
public sealed partial class EventDelivery(
    IDocumentContainer outbox,
    EventCatalog catalog,
    DeadLetters deadLetters,
    IWorkQueue queue,
    EventPumpSettings settings,
    TimeProvider time,
    ILogger<EventDelivery> logger)
{
    public async Task DeliverAsync(IEventHandler handler, string message, CancellationToken cancellationToken)
    {
        if (TryParse(message) is not { } queued)
        {
            LogUnreadable(logger, handler.Name, message.Length);
            return;
        }

        if (await EventOfAsync(queued, cancellationToken) is not { } domainEvent)
        {
            LogExpired(logger, handler.Name, queued.Event.EventId);
            return;
        }

        Telemetry.EventDeliveryLag.Record(Math.Max(0, (time.GetUtcNow() - domainEvent.OccurredAt).TotalSeconds), new KeyValuePair<string, object?>("handler", handler.Name));
        try
        {
            // Reading the event's data is part of handling it: data this version cannot read fails like a handler.
            if (catalog.Read(domainEvent) is not { } recorded)
            {
                LogUnknownType(logger, handler.Name, domainEvent.EventId, domainEvent.Type);
                return;
            }

            await EventDispatch.DeliverAsync(handler, recorded, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (queued.Attempt < settings.MaxAttempts)
            {
                var delay = settings.FirstRetryDelay * Math.Pow(2, queued.Attempt - 1);
                LogRetry(logger, exception, handler.Name, domainEvent.EventId, domainEvent.Type, queued.Attempt, delay);
                await queue.SendAsync(EventQueues.Of(handler), QueuedEvent.Serialize(queued.Event, queued.Attempt + 1), delay, cancellationToken);
                return;
            }

            await deadLetters.ParkAsync(handler.Name, domainEvent, queued.Attempt, exception, cancellationToken);
            LogParked(logger, exception, handler.Name, domainEvent.EventId, domainEvent.Type, queued.Attempt);
        }
    }

    /// <summary>Parks an event the host moved to the handler's poison queue: its handling never finished (the process stopped or timed out) however often it was tried.</summary>
    public async Task ParkPoisonAsync(IEventHandler handler, string message, CancellationToken cancellationToken)
    {
        if (TryParse(message) is not { } queued)
        {
            // Not an event at all (written by hand, or by another version): nothing to park or replay.
            LogUnreadable(logger, handler.Name, message.Length);
            return;
        }

        var domainEvent = await EventOfAsync(queued, cancellationToken) ?? queued.Event;
        var failure = new InvalidOperationException("The handling never finished: the process stopped or timed out on every try, and the host moved the message to the poison queue.");
        await deadLetters.ParkAsync(handler.Name, domainEvent, queued.Attempt, failure, cancellationToken);
        LogParked(logger, failure, handler.Name, domainEvent.EventId, domainEvent.Type, queued.Attempt);
    }

    private static QueuedEvent? TryParse(string message)
    {
        try
        {
            return QueuedEvent.Parse(message);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<DeliveredEvent?> EventOfAsync(QueuedEvent queued, CancellationToken cancellationToken)
    {
        if (!queued.DataInOutbox)
        {
            return queued.Event;
        }

        var stored = await outbox.ReadAsync(queued.Event.UserId.ToString("D"), queued.Event.EventId.ToString("D"), cancellationToken);
        return stored is null ? null : DeliveredEvent.From(stored);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event delivery {Handler}: event {EventId} has a type this version does not know ({Type}); skipped")]
    private static partial void LogUnknownType(ILogger logger, string handler, Guid eventId, string type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event delivery {Handler}: a message of {Length} characters is not a queued event; dropped")]
    private static partial void LogUnreadable(ILogger logger, string handler, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event delivery {Handler}: event {EventId} is no longer in the outbox (its time to live passed); skipped")]
    private static partial void LogExpired(ILogger logger, string handler, Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event delivery {Handler}: event {EventId} ({Type}) failed, attempt {Attempt}; retry in {Delay}")]
    private static partial void LogRetry(ILogger logger, Exception exception, string handler, Guid eventId, string type, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event delivery {Handler}: event {EventId} ({Type}) parked as a dead letter after {Attempts} attempts")]
    private static partial void LogParked(ILogger logger, Exception exception, string handler, Guid eventId, string type, int attempts);
}
