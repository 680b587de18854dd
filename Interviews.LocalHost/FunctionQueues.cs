using System.Reflection;
using System.Text.Json;
using Interviews.Functions.Queues;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.LocalHost;

/// <summary>A queue-triggered function and the queue it reads, from its <c>[QueueTrigger]</c>.</summary>
public sealed record LocalQueueFunction(string Name, Type Type, MethodInfo Method, string Queue);

/// <summary>
/// The Functions host's queue settings (host.json, <c>extensions.queues</c>) with the host's defaults:
/// how many messages one function takes at once, how many more before it fetches again, after how many
/// dequeues a message is poison, and how long a failed message stays invisible.
/// </summary>
public sealed record QueueHostSettings(int BatchSize, int NewBatchThreshold, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval)
{
    public static QueueHostSettings Defaults { get; } = new(16, 8, 5, TimeSpan.Zero, TimeSpan.FromMinutes(1));

    /// <summary>Messages of one function in flight at most: a batch, and the next batch fetched once the first is down to the threshold.</summary>
    public int Concurrency => BatchSize + NewBatchThreshold;

    public static QueueHostSettings Read(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath))
        {
            return Defaults;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
        {
            return Defaults;
        }

        var batchSize = Int(queues, "batchSize") ?? Defaults.BatchSize;
        return new QueueHostSettings(
            batchSize,
            Int(queues, "newBatchThreshold") ?? batchSize / 2,
            Int(queues, "maxDequeueCount") ?? Defaults.MaxDequeueCount,
            Span(queues, "visibilityTimeout") ?? Defaults.VisibilityTimeout,
            Span(queues, "maxPollingInterval") ?? Defaults.MaxPollingInterval);
    }

    private static int? Int(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : null;

    private static TimeSpan? Span(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && TimeSpan.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var span) ? span : null;
}

/// <summary>
/// Runs every <c>[QueueTrigger]</c> function of the Functions assembly from the embedded queue, like the
/// Functions host runs them from Azure Storage Queues: up to <see cref="QueueHostSettings.Concurrency"/>
/// messages of a function at once, a new function instance per message, a message leased while it is
/// handled (the lease renewed, so a long one is not handed out twice), deleted when the function
/// returns, visible again after <see cref="QueueHostSettings.VisibilityTimeout"/> when it throws, and
/// moved to <c>{queue}-poison</c> once it was dequeued <see cref="QueueHostSettings.MaxDequeueCount"/>
/// times. A message whose process stopped comes back when its lease runs out. Turned off with
/// <c>LocalHost:RunQueues=false</c> (tests then drain the queues themselves with <see cref="DrainAsync"/>).
/// </summary>
public sealed partial class FunctionQueues(
    IReadOnlyList<LocalQueueFunction> functions,
    QueueHostSettings settings,
    IServiceProvider services,
    ILogger<FunctionQueues> logger) : BackgroundService
{
    /// <summary>How long a received message stays invisible before its lease is renewed or runs out.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>The longest an idle queue waits before it looks again (senders of this process wake it at once).</summary>
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(2);

    public static IReadOnlyList<LocalQueueFunction> Find(Assembly assembly, IConfiguration configuration) =>
    [
        .. from type in assembly.GetExportedTypes()
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
           let function = method.GetCustomAttribute<FunctionAttribute>()
           let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).FirstOrDefault(t => t is not null)
           where function is not null && trigger is not null
           select new LocalQueueFunction(function.Name, type, method, QueueOf(trigger, configuration, function.Name)),
    ];

    /// <summary>
    /// Handles every visible message of every queue until none is left, one function at a time with its
    /// concurrency (tests use it after the timer that fills the queues). Messages not yet visible (a
    /// retry's delay) stay. Returns how many messages were handled.
    /// </summary>
    public static async Task<int> DrainAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var functions = services.GetRequiredService<IReadOnlyList<LocalQueueFunction>>();
        var settings = services.GetRequiredService<QueueHostSettings>();
        var queue = services.GetRequiredService<EmbeddedWorkQueue>();
        var logger = services.GetRequiredService<ILogger<FunctionQueues>>();
        var handled = 0;
        for (var round = 0; round < 1000; round++)
        {
            var before = handled;
            foreach (var function in functions)
            {
                IReadOnlyList<ReceivedMessage> batch;
                while ((batch = await queue.ReceiveAsync(function.Queue, settings.Concurrency, Lease, cancellationToken)).Count > 0)
                {
                    await Task.WhenAll(batch.Select(message => HandleAsync(function, message, queue, settings, services, logger, cancellationToken)));
                    handled += batch.Count;
                }
            }

            if (handled == before)
            {
                return handled;
            }
        }

        throw new InvalidOperationException("The queues kept filling while they were drained: a function adds work for itself without end.");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        services.GetRequiredService<IConfiguration>().GetValue("LocalHost:RunQueues", true) && !services.GetRequiredService<WorkQueueSettings>().IsConfigured
            ? Task.WhenAll(functions.Select(function => ListenAsync(function, stoppingToken)))
            : Task.CompletedTask;

    private async Task ListenAsync(LocalQueueFunction function, CancellationToken stoppingToken)
    {
        var queue = services.GetRequiredService<EmbeddedWorkQueue>();
        using var slots = new SemaphoreSlim(settings.Concurrency, settings.Concurrency);
        var poll = settings.MaxPollingInterval < IdlePoll ? settings.MaxPollingInterval : IdlePoll;
        LogListening(logger, function.Name, function.Queue, settings.Concurrency);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < settings.BatchSize && slots.Wait(0))
                {
                    free++;
                }

                IReadOnlyList<ReceivedMessage> batch;
                try
                {
                    batch = await queue.ReceiveAsync(function.Queue, free, Lease, stoppingToken);
                }
                catch
                {
                    slots.Release(free);
                    throw;
                }

                if (free > batch.Count)
                {
                    slots.Release(free - batch.Count);
                }

                if (batch.Count == 0)
                {
                    await queue.WaitForMessagesAsync(function.Queue, poll, stoppingToken);
                    continue;
                }

                foreach (var message in batch)
                {
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await HandleAsync(function, message, queue, settings, services, logger, stoppingToken);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }, CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The store is unavailable for now: try again after a pause rather than spin.
                LogReceiveFailed(logger, exception, function.Queue);
                await Task.Delay(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task HandleAsync(
        LocalQueueFunction function, ReceivedMessage message, EmbeddedWorkQueue queue, QueueHostSettings settings, IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                // Received this often without ever finishing (its process stopped each time).
                await queue.MoveToPoisonAsync(message, cancellationToken);
                LogPoisoned(logger, function.Queue, message.DequeueCount);
                return;
            }

            using var renewal = new Timer(_ => _ = queue.RenewAsync(message, Lease, CancellationToken.None), null, Lease / 3, Lease / 3);
            try
            {
                await InvokeAsync(function, message.Body, services, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                await renewal.DisposeAsync();
                LogFailed(logger, exception, function.Name, message.DequeueCount);
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    await queue.MoveToPoisonAsync(message, CancellationToken.None);
                    LogPoisoned(logger, function.Queue, message.DequeueCount);
                }
                else
                {
                    await queue.ReleaseAsync(message, settings.VisibilityTimeout, CancellationToken.None);
                }

                return;
            }

            await renewal.DisposeAsync();
            await queue.CompleteAsync(message, CancellationToken.None);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The queue itself failed (the store is unavailable): the lease runs out and the message comes back.
            LogSettleFailed(logger, exception, function.Queue);
        }
    }

    private static async Task InvokeAsync(LocalQueueFunction function, string body, IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Type);
        var arguments = function.Method.GetParameters()
            .Select(p => p.ParameterType == typeof(CancellationToken) ? cancellationToken : p.ParameterType == typeof(string) ? body : (object?)null)
            .ToArray();
        if (function.Method.Invoke(instance, arguments) is Task task)
        {
            await task;
        }
    }

    private static string QueueOf(QueueTriggerAttribute trigger, IConfiguration configuration, string function)
    {
        var queue = BindingExpressions.Resolve(trigger.QueueName, configuration, function, "queue name");
        return WorkQueues.IsValidName(queue)
            ? queue
            : throw new InvalidOperationException($"Queue function {function} reads queue '{queue}', which is not a valid queue name.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue function {Function} reads queue {Queue}, {Concurrency} messages at a time")]
    private static partial void LogListening(ILogger logger, string function, string queue, int concurrency);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue function {Function} failed (dequeue {DequeueCount})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function, int dequeueCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message of queue {Queue} was dequeued {DequeueCount} times without success; moved to the poison queue")]
    private static partial void LogPoisoned(ILogger logger, string queue, int dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} could not be read; trying again")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message of queue {Queue} could not be settled; it comes back when its lease runs out")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string queue);
}
