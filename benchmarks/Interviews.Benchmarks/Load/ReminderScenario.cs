using System.Globalization;
using System.Text;

namespace Interviews.Benchmarks.Load;

/// <summary>
/// <c>reminders</c>: N reminders fall due at the same instant. R users set one reminder offset (M minutes
/// before, nudges off) and get N interviews between them, all at T0 + M, where T0 is a whole minute far
/// enough ahead for the setup and the planning to finish; the service's clock runs normally and its
/// sender timer runs on its own schedule. The SMTP sink answers each message after the configured
/// delay; the drain time is from T0 to the last message accepted.
/// </summary>
internal static class ReminderScenario
{
    public static async Task<string> RunAsync(LoadContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var n = o.EffectiveReminders;
        var r = Math.Min(o.EffectiveReminderUsers, n);
        Console.WriteLine();
        Console.WriteLine($"== reminders: {n:N0} due at one instant, {r:N0} users, SMTP answering after {o.SmtpDelay.TotalMilliseconds:F0} ms");

        await using var sink = SmtpSink.Start(o.SmtpDelay);
        var settings = new Dictionary<string, string>(sink.ServiceSettings());
        if (o.SmtpConnections is { } connections)
        {
            settings["Email__MaxConnections"] = connections.ToString(CultureInfo.InvariantCulture);
        }

        await using var service = await ServiceUnderTest.StartAsync(context, context.DataFolder("reminders"), settings, null, cancellationToken);
        var people = Enumerable.Range(0, r).Select(service.User).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };

        var setup = System.Diagnostics.Stopwatch.StartNew();
        var refusedSettings = 0;
        await Parallel.ForEachAsync(people, parallel, async (u, ct) =>
        {
            if (await service.SetRemindersAsync(u, [o.ReminderOffsetMinutes], ct) != 200)
            {
                Interlocked.Increment(ref refusedSettings);
            }
        });
        var perRequest = setup.Elapsed.TotalSeconds / r;

        // Far enough ahead for the schedules (timed like the settings) and the planning of their events.
        var estimate = TimeSpan.FromSeconds((perRequest * n * 1.5) + (n * 0.005) + 30);
        var now = DateTimeOffset.UtcNow;
        var dueAt = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1 + Math.Ceiling((estimate + TimeSpan.FromSeconds(30)).TotalMinutes));
        var interviewAt = dueAt.AddMinutes(o.ReminderOffsetMinutes);
        Console.WriteLine($"   settings for {r:N0} users in {setup.Elapsed.TotalSeconds:F1} s; reminders due at {dueAt:HH:mm:ss} UTC (interviews at {interviewAt:HH:mm})");

        var expected = new List<(string Email, Guid Interview)>(n);
        var refused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, n), parallel, async (i, ct) =>
        {
            var user = people[i % r];
            var (id, _) = await service.ScheduleAsync(user, interviewAt, ct);
            if (id is Guid interview)
            {
                lock (expected)
                {
                    expected.Add((user.Email, interview));
                }
            }
            else
            {
                Interlocked.Increment(ref refused);
            }
        });
        setup.Stop();
        Console.WriteLine($"   {expected.Count:N0} interviews scheduled ({refused} refused); setup {setup.Elapsed.TotalSeconds:F1} s");

        // Planning happens behind the API (the event pump): watch the store until every reminder exists.
        var probe = new StoreProbe(service.DatabasePath);
        double? plannedBeforeDue = null;
        long? planned = null;
        while (DateTimeOffset.UtcNow < dueAt)
        {
            planned = probe.PlannedReminders();
            if (planned >= expected.Count)
            {
                plannedBeforeDue = (dueAt - DateTimeOffset.UtcNow).TotalSeconds;
                break;
            }

            await Task.Delay(1000, cancellationToken);
        }

        var dueClock = RunClock.Now + (dueAt - DateTimeOffset.UtcNow).TotalSeconds;
        Console.WriteLine(plannedBeforeDue is { } ahead ? $"   all planned {ahead:F0} s before they were due" : $"   only {planned?.ToString(CultureInfo.InvariantCulture) ?? "?"} planned when they fell due");

        var wanted = expected.ToHashSet();
        var cap = dueClock + o.EffectiveReminderCap.TotalSeconds;
        var progress = new List<(double T, int Sent)>();
        while (RunClock.Now < cap)
        {
            var got = sink.Messages.Count(m => m.InterviewId is { } id && wanted.Contains((m.To, id)));
            if (RunClock.Now >= dueClock)
            {
                progress.Add((RunClock.Now - dueClock, got));
            }

            if (got >= wanted.Count)
            {
                break;
            }

            await Task.Delay(500, cancellationToken);
        }

        // A little longer, for any second copy on its way.
        await Task.Delay(2000, cancellationToken);
        var mails = sink.Messages.Where(m => m.InterviewId is { } id && wanted.Contains((m.To, id))).OrderBy(m => m.At).ToList();
        var received = mails.Select(m => (m.To, m.InterviewId!.Value)).ToHashSet();
        var lost = wanted.Count(w => !received.Contains(w));
        var first = mails.Count > 0 ? mails[0].At - dueClock : double.NaN;
        var last = mails.Count > 0 ? mails[^1].At - dueClock : double.NaN;
        var rate = mails.Count > 1 ? mails.Count / Math.Max(0.001, mails[^1].At - mails[0].At) : double.NaN;
        var result = new ReminderRun(n, r, setup.Elapsed, plannedBeforeDue, planned, first, last, rate, mails.Count, received.Count, sink.Connections, sink.PeakOpenConnections,
            sink.DuplicatesByMessageId(), sink.DuplicatesByContent(), lost, o.EffectiveReminderCap, progress, refused + refusedSettings);
        Console.WriteLine($"   {received.Count:N0} of {wanted.Count:N0} sent; first {first:F1} s, last {last:F1} s after due; {rate:F1} e-mails/s; {sink.Connections} SMTP connections; duplicates {result.DuplicatesById} by Message-ID, {result.DuplicatesByContent} by content; {lost} not sent");
        return Section(context, result);
    }

    private static string Section(LoadContext context, ReminderRun r)
    {
        var o = context.Options;
        var md = new StringBuilder();
        md.AppendLine("## Reminders: a burst falling due at one instant");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Reminders:N0} interviews for {r.Users:N0} users at the same time, each user with one reminder {o.ReminderOffsetMinutes} minutes before (nudges off), so that {r.Reminders:N0} reminders fall due at one whole minute; the service's sender runs on its own timer (`ReminderSendSchedule`). ")
            + $"The SMTP sink answers each message {o.SmtpDelay.TotalMilliseconds:F0} ms after its data; the service keeps {(o.SmtpConnections is { } c ? $"{c} SMTP connections (`Email:MaxConnections`)" : "its default number of SMTP connections")} per instance. Setup through the API at concurrency 16 (settings, then the schedules): {r.Setup.TotalSeconds:F0} s"
            + (r.PlannedBeforeDue is { } ahead ? string.Create(CultureInfo.InvariantCulture, $"; every reminder was planned {ahead:F0} s before it fell due.") : $"; only {r.Planned?.ToString("N0", CultureInfo.InvariantCulture) ?? "an unknown number"} were planned when they fell due (planning lagged: the drain includes it).")
            + (r.Refused > 0 ? $" {r.Refused} setup requests were refused." : ""));
        md.AppendLine();
        md.AppendLine("| reminders | sent | first sent after due | last sent after due (drain) | e-mails/s | SMTP connections (most at once) | duplicates by Message-ID / by recipient+subject+interview | not sent by the end |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var drained = r.Sent >= r.Reminders - r.Refused;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {r.Reminders:N0} | {r.Sent:N0} | {Sec(r.FirstAfterDue)} | {(drained ? Sec(r.LastAfterDue) : $"not within the cap of {r.Cap.TotalSeconds:F0} s")} | {r.PerSecond:F1} | {r.Connections:N0} ({r.PeakConnections}) | {r.DuplicatesById} / {r.DuplicatesByContent} | {r.Lost:N0} |");
        md.AppendLine();
        var at = new[] { 60, 120 }.Select(s => (s, r.Progress.LastOrDefault(p => p.T <= s).Sent)).ToList();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Sent within 60 s of due: {at[0].Sent:N0}; within 120 s: {at[1].Sent:N0}.")
            + (!drained && r.PerSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $" At the rate measured, all {r.Reminders:N0} would take about {r.Reminders / r.PerSecond:F0} s.") : ""));
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Target: all {r.Reminders:N0} sent within 2 minutes of due ({(drained && r.LastAfterDue <= 120 ? "met" : "**missed**")}), none twice ({(r.DuplicatesById + r.DuplicatesByContent == 0 ? "met" : "**missed**")}), none lost. \"Not sent by the end\" is lost or still waiting when the cap ended the run.");
        return md.ToString();
    }

    private static string Sec(double s) => double.IsNaN(s) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{s:F1} s");

    private sealed record ReminderRun(
        int Reminders, int Users, TimeSpan Setup, double? PlannedBeforeDue, long? Planned, double FirstAfterDue, double LastAfterDue, double PerSecond,
        int Messages, int Sent, int Connections, int PeakConnections, int DuplicatesById, int DuplicatesByContent, int Lost, TimeSpan Cap,
        IReadOnlyList<(double T, int Sent)> Progress, int Refused);
}
