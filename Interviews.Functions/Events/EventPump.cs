using Interviews.Functions.Settings;
using Interviews.Functions.Diagnostics;
using System.Text.Json;
using Interviews.Functions.Storage;
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

    /// <summary>The longest a pump run goes on before it leaves the rest to the next run.</summary>
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
/// Delivers the domain events of the outbox to every <see cref="IEventHandler"/>. Each handler reads
/// the change feed from its own checkpoint and gets its events one at a time in feed order (which is
/// write order within an interview's partition); the checkpoint moves only after the handler succeeded
/// (or the event was parked), so a crash anywhere delivers again rather than loses. A failing event is
/// retried on later runs with a doubling delay, <see cref="EventPumpSettings.MaxAttempts"/> times in
/// all, then parked as a dead letter with its error, and the handler moves on.
/// </summary>
public sealed partial class EventPump(
    IDocumentContainer feed,
    ICheckpointStore checkpoints,
    IEnumerable<IEventHandler> handlers,
    EventCatalog catalog,
    DeadLetters deadLetters,
    EventPumpSettings settings,
    TimeProvider time,
    ILogger<EventPump> logger)
{
    /// <summary>A lag above this is logged as a warning (the metric records every lag).</summary>
    public static readonly TimeSpan LagWarning = TimeSpan.FromMinutes(1);

    /// <summary>One run: every handler catches up as far as it can. Returns how many deliveries succeeded.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        var started = time.GetTimestamp();
        foreach (var handler in handlers)
        {
            delivered += await RunHandlerAsync(handler, cancellationToken);
        }

        if (delivered > 0)
        {
            LogRun(logger, delivered, time.GetElapsedTime(started).TotalMilliseconds);
        }

        return delivered;
    }

    private async Task<int> RunHandlerAsync(IEventHandler handler, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var state = await LoadStateAsync(handler, cancellationToken);
        if (state.RetryAt is { } retryAt && retryAt > started)
        {
            return 0;
        }

        var delivered = 0;
        var lagMeasured = false;
        while (time.GetUtcNow() - started < settings.MaxRunDuration)
        {
            var page = await feed.ReadFeedAsync(state.Continuation, settings.PageSize, cancellationToken);
            if (page.Items.Count == 0)
            {
                break;
            }

            var events = page.Items.Where(d => d.Kind == EventDocument.Kind).Select(DeliveredEvent.From).ToList();
            if (!lagMeasured && events.Count > 0)
            {
                var lag = (started - events[0].OccurredAt).TotalSeconds;
                Telemetry.EventPumpLag.Record(Math.Max(0, lag), new KeyValuePair<string, object?>("handler", handler.Name));
                // Every run has a lag; only one that means the handler is falling behind is worth a warning.
                if (lag > LagWarning.TotalSeconds)
                {
                    LogBehind(logger, handler.Name, lag);
                }
                else
                {
                    LogLag(logger, handler.Name, lag);
                }

                lagMeasured = true;
            }

            // Events of this page that an earlier, interrupted run already delivered.
            var handled = new List<Guid>(state.HandledInPage ?? []);
            foreach (var domainEvent in events.Where(e => !handled.Contains(e.EventId)))
            {
                if (catalog.Read(domainEvent) is not { } recorded)
                {
                    LogUnknownType(logger, handler.Name, domainEvent.EventId, domainEvent.Type);
                    handled.Add(domainEvent.EventId);
                    continue;
                }

                try
                {
                    if (await EventDispatch.DeliverAsync(handler, recorded, cancellationToken))
                    {
                        delivered++;
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var attempts = state.FailingEventId == domainEvent.EventId ? state.Attempts + 1 : 1;
                    if (attempts < settings.MaxAttempts)
                    {
                        // Stop here: this handler's later events wait, so that an interview's events stay in order.
                        var delay = settings.FirstRetryDelay * Math.Pow(2, attempts - 1);
                        LogRetry(logger, exception, handler.Name, domainEvent.EventId, domainEvent.Type, attempts, delay);
                        await SaveStateAsync(handler, state with { FailingEventId = domainEvent.EventId, Attempts = attempts, RetryAt = time.GetUtcNow() + delay, HandledInPage = handled }, cancellationToken);
                        return delivered;
                    }

                    await deadLetters.ParkAsync(handler.Name, domainEvent, attempts, exception, cancellationToken);
                    LogParked(logger, exception, handler.Name, domainEvent.EventId, domainEvent.Type, attempts);
                }

                handled.Add(domainEvent.EventId);
            }

            // The checkpoint moves once the whole page is handled; a crash before this delivers the
            // page again (at least once), which idempotent handlers absorb.
            state = new PumpState(page.Continuation, null, 0, null, null);
            await SaveStateAsync(handler, state, cancellationToken);
        }

        return delivered;
    }

    private async Task<PumpState> LoadStateAsync(IEventHandler handler, CancellationToken cancellationToken)
    {
        var text = await checkpoints.ReadAsync(CheckpointName(handler), cancellationToken);
        return text is null ? new PumpState(null, null, 0, null, null) : JsonSerializer.Deserialize<PumpState>(text, StorageJson.Options)!;
    }

    private Task SaveStateAsync(IEventHandler handler, PumpState state, CancellationToken cancellationToken) =>
        checkpoints.WriteAsync(CheckpointName(handler), JsonSerializer.Serialize(state, StorageJson.Options), cancellationToken);

    private static string CheckpointName(IEventHandler handler) => $"event-pump:{handler.Name}";

    /// <summary>
    /// Where a handler is: the feed continuation before the current page and, while an event of that
    /// page is failing, the events before it that were handled, the failing event, its attempts and when
    /// to try it again.
    /// </summary>
    private sealed record PumpState(string? Continuation, Guid? FailingEventId, int Attempts, DateTimeOffset? RetryAt, IReadOnlyList<Guid>? HandledInPage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event pump {Handler}: event {EventId} has a type this version does not know ({Type}); skipped")]
    private static partial void LogUnknownType(ILogger logger, string handler, Guid eventId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event pump: {Count} deliveries in {ElapsedMs:F0} ms")]
    private static partial void LogRun(ILogger logger, int count, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event pump {Handler}: oldest undelivered event is {LagSeconds:F3} s old")]
    private static partial void LogLag(ILogger logger, string handler, double lagSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event pump {Handler} is behind: oldest undelivered event is {LagSeconds:F0} s old")]
    private static partial void LogBehind(ILogger logger, string handler, double lagSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event pump {Handler}: event {EventId} ({Type}) failed, attempt {Attempt}; retry in {Delay}")]
    private static partial void LogRetry(ILogger logger, Exception exception, string handler, Guid eventId, string type, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event pump {Handler}: event {EventId} ({Type}) parked as a dead letter after {Attempts} attempts")]
    private static partial void LogParked(ILogger logger, Exception exception, string handler, Guid eventId, string type, int attempts);
}
