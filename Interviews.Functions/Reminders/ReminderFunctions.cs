using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Reminders;

/// <summary>The reminder sender's timer (six-field cron with seconds, from setting <c>ReminderSendSchedule</c>; every minute by default).</summary>
public sealed class ReminderFunctions(ReminderSender sender)
{
    public const string ScheduleSetting = "ReminderSendSchedule";

    [Function("SendReminders")]
    public Task SendReminders([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sender.RunOnceAsync(cancellationToken);
}
