using Interviews.Functions.Hosting;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Interviews.Functions.Diagnostics;

/// <summary>
/// The service's own trace source and metrics, all named "Interviews". Other parts record on these
/// instruments (the reminder sender, the calendar sync, the event pump); both hosts export them with
/// OpenTelemetry (<see cref="TelemetrySetup"/>). Values are counts and durations, never personal data.
/// </summary>
public static class Telemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "Interviews";

    /// <summary>The storage backend's meter (the Cosmos DB store records <c>interviews.cosmos.request_charge</c> there).</summary>
    public const string StorageMeterName = "Interviews.Storage";

    public static ActivitySource ActivitySource { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    /// <summary><c>interviews.reminders.sent</c>: reminder e-mails the SMTP server accepted.</summary>
    public static Counter<long> RemindersSent { get; } =
        Meter.CreateCounter<long>("interviews.reminders.sent", "{reminder}", "Reminder e-mails accepted by the SMTP server.");

    /// <summary><c>interviews.reminders.failed</c>: reminder e-mails that could not be sent (tag <c>reason</c>).</summary>
    public static Counter<long> RemindersFailed { get; } =
        Meter.CreateCounter<long>("interviews.reminders.failed", "{reminder}", "Reminder e-mails that could not be sent.");

    /// <summary><c>interviews.calendar.sync_failures</c>: calendar syncs that failed (tags <c>provider</c>, <c>reason</c>).</summary>
    public static Counter<long> CalendarSyncFailures { get; } =
        Meter.CreateCounter<long>("interviews.calendar.sync_failures", "{failure}", "Calendar syncs (Google, Outlook) that failed.");

    /// <summary><c>interviews.events.pump_lag</c>: seconds from a domain event's occurrence to its dispatch by the event pump to a handler's queue (tag <c>handler</c>).</summary>
    public static Histogram<double> EventPumpLag { get; } =
        Meter.CreateHistogram<double>("interviews.events.pump_lag", "s", "Seconds from a domain event's occurrence to its dispatch by the event pump.");

    /// <summary><c>interviews.events.delivery_lag</c>: seconds from a domain event's occurrence to the start of its delivery to a handler (tag <c>handler</c>).</summary>
    public static Histogram<double> EventDeliveryLag { get; } =
        Meter.CreateHistogram<double>("interviews.events.delivery_lag", "s", "Seconds from a domain event's occurrence to its delivery to a handler.");

    /// <summary>Trace sources of the libraries the app calls out through, exported with the app's own.</summary>
    internal static readonly string[] LibrarySources =
    [
        "Azure.Cosmos.Operation", // Cosmos DB SDK operations (distributed tracing is on by default since 3.36)
        "MailKit.Net.SmtpClient", // MailKit's SMTP client (reminder e-mails)
    ];

    /// <summary>Meters of the libraries the app calls out through.</summary>
    internal static readonly string[] LibraryMeters =
    [
        "mailkit.net.smtp",
    ];
}
