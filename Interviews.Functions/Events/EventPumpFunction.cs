using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Events;

/// <summary>The event pump's timer (six-field cron with seconds, from setting <c>EventPumpSchedule</c>; every second by default).</summary>
public sealed class EventPumpFunction(EventPump pump)
{
    public const string ScheduleSetting = "EventPumpSchedule";

    [Function("EventPump")]
    public Task PumpEvents([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        pump.RunOnceAsync(cancellationToken);
}
