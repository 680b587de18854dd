using Interviews.Functions.Settings;
using Interviews.Functions.Diagnostics;
using System.Text.Json;
using Interviews.Functions.Storage;
using Interviews.Functions.Queues;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Events;

/// <summary>Event pump settings (section <c>Events</c>).</summary>
public sealed class EventPumpSettings : ICheckedSettings
{
    public const string Section = "Events";

    /// <summary>Events read per feed page.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>How many times a handler gets an event before it is parked as a dead letter.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait after the first failure; it doubles with each attempt.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest a dispatch run goes on before it leaves the rest to the next run.</summary>
    public TimeSpan MaxRunDuration { get; set; } = TimeSpan.FromSeconds(50);

    public IEnumerable<string> Problems()
    {
        if (MaxAttempts is < 1 or > 100)
        {
            yield return $"Setting {Section}:MaxAttempts must be from 1 to 100.";
        }

        if (FirstRetryDelay <= TimeSpan.Zero || FirstRetryDelay > TimeSpan.FromHours(1))
        {
            yield return $"Setting {Section}:FirstRetryDelay must be a positive time span of at most 01:00:00.";
        }

        if (PageSize is < 1 or > 1000)
        {
            yield return $"Setting {Section}:PageSize must be from 1 to 1000.";
        }

        if (MaxRunDuration <= TimeSpan.Zero)
        {
            yield return $"Setting {Section}:MaxRunDuration must be a positive time span.";
        }
    }
}

/// <summary>
/// Reads the outbox of domain events from the change feed and hands each event to the queue of every
/// <see cref="IEventHandler"/> that subscribes to its type (<see cref="EventQueues"/>); queue-triggered
/// functions deliver them (<see cref="EventDelivery"/>), many at a time and on as many instances as the
/// queues need. Only dispatching happens here, so a run takes as long as reading the feed and adding
/// messages, whatever the handlers do. Each handler's position in the feed is its own checkpoint, which
/// moves once a page's messages are in its queue: a crash before that dispatches the page again (at
/// least once), which idempotent handlers absorb.
/// </summary>
public sealed partial class EventPump(
    IDocumentContainer feed,
    ICheckpointStore checkpoints,
    IEnumerable<IEventHandler> handlers,
    EventCatalog catalog,
    IWorkQueue queue,
    EventPumpSettings settings,
    TimeProvider time,
    ILogger<EventPump> logger)
{
    /// <summary>A lag above this is logged as a warning (the metric records every lag).</summary>
    public static readonly TimeSpan LagWarning = TimeSpan.FromMinutes(1);

    /// <summary>One run: every handler's queue gets the events it has not had yet, as far as a run goes. Returns how many messages were dispatched.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var dispatched = await Task.WhenAll(handlers.Select(handler => RunHandlerAsync(handler, cancellationToken)));
        var total = dispatched.Sum();
        if (total > 0)
        {
            LogRun(logger, total, time.GetElapsedTime(started).TotalMilliseconds);
        }

        return total;
    }

    private async Task<int> RunHandlerAsync(IEventHandler handler, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var continuation = await LoadContinuationAsync(handler, cancellationToken);
        var dispatched = 0;
        var lagMeasured = false;
        var queueName = EventQueues.Of(handler);
        while (time.GetUtcNow() - started < settings.MaxRunDuration)
        {
            var page = await feed.ReadFeedAsync(continuation, settings.PageSize, cancellationToken);
            if (page.Items.Count == 0)
            {
                break;
            }

            var events = page.Items.Where(d => d.Kind == EventDocument.Kind).Select(DeliveredEvent.From).ToList();
            if (!lagMeasured && events.Count > 0)
            {
                MeasureLag(handler, started - events[0].OccurredAt);
                lagMeasured = true;
            }

            var messages = new List<string>(events.Count);
            foreach (var domainEvent in events)
            {
                if (catalog.TypeOf(domainEvent.Type) is not { } type)
                {
                    LogUnknownType(logger, handler.Name, domainEvent.EventId, domainEvent.Type);
                }
                else if (EventDispatch.Handles(handler, type))
                {
                    messages.Add(QueuedEvent.Serialize(domainEvent, attempt: 1));
                }
            }

            await queue.SendAsync(queueName, messages, TimeSpan.Zero, cancellationToken);
            dispatched += messages.Count;
            continuation = page.Continuation;
            await checkpoints.WriteAsync(CheckpointName(handler), JsonSerializer.Serialize(new PumpState(continuation), StorageJson.Options), cancellationToken);
        }

        return dispatched;
    }

    private void MeasureLag(IEventHandler handler, TimeSpan lag)
    {
        var seconds = Math.Max(0, lag.TotalSeconds);
        Telemetry.EventPumpLag.Record(seconds, new KeyValuePair<string, object?>("handler", handler.Name));
        // Every run has a lag; only one that means the dispatch is falling behind is worth a warning.
        if (lag > LagWarning)
        {
            LogBehind(logger, handler.Name, seconds);
        }
        else
        {
            LogLag(logger, handler.Name, seconds);
        }
    }

    private async Task<string?> LoadContinuationAsync(IEventHandler handler, CancellationToken cancellationToken)
    {
        var text = await checkpoints.ReadAsync(CheckpointName(handler), cancellationToken);
        return text is null ? null : JsonSerializer.Deserialize<PumpState>(text, StorageJson.Options)!.Continuation;
    }

    private static string CheckpointName(IEventHandler handler) => $"event-pump:{handler.Name}";

    /// <summary>Where a handler's dispatch is: the feed continuation after the last page in its queue.</summary>
    private sealed record PumpState(string? Continuation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event pump {Handler}: event {EventId} has a type this version does not know ({Type}); skipped")]
    private static partial void LogUnknownType(ILogger logger, string handler, Guid eventId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event pump: {Count} events dispatched in {ElapsedMs:F0} ms")]
    private static partial void LogRun(ILogger logger, int count, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event pump {Handler}: oldest undispatched event is {LagSeconds:F3} s old")]
    private static partial void LogLag(ILogger logger, string handler, double lagSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event pump {Handler} is behind: oldest undispatched event is {LagSeconds:F0} s old")]
    private static partial void LogBehind(ILogger logger, string handler, double lagSeconds);
}
