using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Reminders;

/// <summary>The reminder dispatcher's timer (six-field cron with seconds, from setting <c>ReminderSendSchedule</c>; every minute by default): queues what is due.</summary>
public sealed class ReminderFunctions(ReminderDispatcher dispatcher)
{
    public const string ScheduleSetting = "ReminderSendSchedule";

    [Function("SendReminders")]
    public Task SendReminders([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        dispatcher.RunOnceAsync(cancellationToken);
}
