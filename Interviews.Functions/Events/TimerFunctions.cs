using Interviews.Functions.Reminders;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Events;

/// <summary>
/// The timer functions. Schedules are settings (six-field cron with seconds, as the Functions host reads
/// them): <c>EventPumpSchedule</c> (default every 2 seconds) and <c>ReminderSendSchedule</c> (every minute).
/// </summary>
public sealed class TimerFunctions(EventPump pump, ReminderSender sender)
{
    public const string EventPumpScheduleSetting = "EventPumpSchedule";
    public const string ReminderSendScheduleSetting = "ReminderSendSchedule";

    [Function("EventPump")]
    public Task PumpEvents([TimerTrigger("%" + EventPumpScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        pump.RunOnceAsync(cancellationToken);

    [Function("SendReminders")]
    public Task SendReminders([TimerTrigger("%" + ReminderSendScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sender.RunOnceAsync(cancellationToken);
}
