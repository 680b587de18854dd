using System.Reflection;
using Cronos;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.LocalHost;

/// <summary>A timer function and its schedule, read from its <c>[TimerTrigger]</c>.</summary>
public sealed record LocalTimer(string Name, Type Type, MethodInfo Method, CronExpression Schedule, string Expression);

/// <summary>
/// Runs every <c>[TimerTrigger]</c> function of the Functions assembly on its own cron schedule, like the
/// Functions host: six-field cron expressions (with seconds), <c>%Setting%</c> resolved from
/// configuration (a missing setting fails start-up with its name), a new function instance per run,
/// and a failed run logged without stopping the next. Turned off with <c>LocalHost:RunTimers=false</c>.
/// </summary>
public sealed partial class FunctionTimers(IReadOnlyList<LocalTimer> timers, IServiceProvider services, ILogger<FunctionTimers> logger) : BackgroundService
{
    public static IReadOnlyList<LocalTimer> Find(Assembly functions, IConfiguration configuration) =>
    [
        .. from type in functions.GetExportedTypes()
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
           let function = method.GetCustomAttribute<FunctionAttribute>()
           let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).FirstOrDefault(t => t is not null)
           where function is not null && trigger is not null
           let expression = BindingExpressions.Resolve(trigger.Schedule, configuration, function.Name, "schedule")
           select new LocalTimer(function.Name, type, method, Parse(expression, function.Name), expression),
    ];

    /// <summary>Runs one timer function once, now (tests and the command line use it).</summary>
    public static async Task RunOnceAsync(LocalTimer timer, IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, timer.Type);
        var arguments = timer.Method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken) ? cancellationToken : p.ParameterType == typeof(TimerInfo) ? new TimerInfo() : (object?)null).ToArray();
        if (timer.Method.Invoke(instance, arguments) is Task task)
        {
            await task;
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        services.GetRequiredService<IConfiguration>().GetValue("LocalHost:RunTimers", true)
            ? Task.WhenAll(timers.Select(timer => LoopAsync(timer, stoppingToken)))
            : Task.CompletedTask;

    private async Task LoopAsync(LocalTimer timer, CancellationToken stoppingToken)
    {
        LogScheduled(logger, timer.Name, timer.Expression);
        var lastDue = DateTimeOffset.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            // From the later of now and the last due time: a delay that wakes a little early must not
            // find the same occurrence again and run the slot twice.
            var from = DateTimeOffset.UtcNow > lastDue ? DateTimeOffset.UtcNow : lastDue;
            var next = timer.Schedule.GetNextOccurrence(from, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            var wait = next.Value - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            lastDue = next.Value;
            try
            {
                await RunOnceAsync(timer, services, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, exception, timer.Name);
            }
        }
    }

    private static CronExpression Parse(string expression, string function)
    {
        try
        {
            var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            return CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            throw new InvalidOperationException($"Timer function {function} has an invalid schedule '{expression}': {exception.Message}", exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Timer function {Function} runs on '{Schedule}'")]
    private static partial void LogScheduled(ILogger logger, string function, string schedule);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {Function} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function);
}
