using System.Globalization;

namespace Interviews.Benchmarks.Load;

/// <summary>The load benchmark's command line (<see cref="Usage"/>).</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project benchmarks/Interviews.Benchmarks -- load [all|calendar|inbound|reminders] [options]
          all (the default): calendar at every rate, calendar with --failing 0.1 at 10 writes/s, inbound, reminders,
                             with shorter phases (--duration 20, --drain-cap 30, --reminder-cap 150) unless given
        common:
          --latency MS           every fake provider call answers after this (default 150)
          --out FILE             markdown appended here, charts beside it (default benchmarks/load-results.md)
          --setting KEY=VALUE    one more setting for LocalHost (repeatable), e.g. --setting Events:PageSize=200
          --quick                a smoke run: 10 users, rates 2,5, 10 s, 500 reminders
        calendar:
          --users N              connected users, each with Google and Microsoft (default 50)
          --providers LIST       google,microsoft (default both)
          --rates LIST           writes per second, one run each (default 2,5,10,20,50; with --failing: 10)
          --duration S           seconds of steady writes per rate (default 30)
          --drain-cap S          longest wait for the backlog to empty after the load (default 120)
          --reschedules F        the share of writes that reschedule an existing interview (default 0.5)
          --failing F            also run with this share of users failing at one provider (e.g. 0.1)
          --failing-provider P   google or microsoft (default google)
          --failure KIND         mixed (503 and 429 in turn), 503 or 429 (default mixed)
          --retry-after S        the Retry-After of a 429 (default 5)
        inbound:
          --users N, --providers LIST as above
          --interviews-per-user N   interviews linked in both calendars before changes start (default 2)
          --changes-per-second R    moves and deletes made in the calendars (default 1)
          --deletes F            the share of changes that delete the event (default 0.2)
          --inbound-duration S   seconds of changes per phase (default 30)
          --inbound-cap S        longest wait for one change to reach the interview (default 60)
          --reconcile-schedule C the polling phase's CalendarReconcileSchedule (default "*/5 * * * * *")
        reminders:
          --reminders N          reminders falling due in the same minute (default 10000)
          --reminder-users N     users they belong to (default N/10)
          --reminder-offset MIN  the users' reminder offset (default 30)
          --smtp-delay MS        the SMTP sink answers each message after this (default 50)
          --smtp-connections N   the service's Email:MaxConnections (default: the service's own, 16)
          --reminder-cap S       longest wait after the due minute for the last e-mail (default 300)
        """;

    public string Scenario { get; init; } = "all";

    public int Users { get; init; } = 50;

    public IReadOnlyList<string> ProviderList { get; init; } = Providers.All;

    public IReadOnlyList<int>? Rates { get; init; }

    public TimeSpan? Duration { get; init; }

    public TimeSpan? DrainCap { get; init; }

    public double Reschedules { get; init; } = 0.5;

    public double? Failing { get; init; }

    public string FailingProvider { get; init; } = Providers.Google;

    public string FailureKind { get; init; } = "mixed";

    public int RetryAfterSeconds { get; init; } = 5;

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(150);

    public int InterviewsPerUser { get; init; } = 2;

    public double ChangesPerSecond { get; init; } = 1;

    public double Deletes { get; init; } = 0.2;

    public TimeSpan? InboundDuration { get; init; }

    public TimeSpan InboundCap { get; init; } = TimeSpan.FromSeconds(60);

    public string ReconcileSchedule { get; init; } = "*/5 * * * * *";

    public int? Reminders { get; init; }

    public int? ReminderUsers { get; init; }

    public int ReminderOffsetMinutes { get; init; } = 30;

    public TimeSpan SmtpDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public int? SmtpConnections { get; init; }

    public TimeSpan? ReminderCap { get; init; }

    public string? Out { get; init; }

    public bool Quick { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> ExtraSettings { get; init; } = [];

    public string CommandLine { get; init; } = "";

    private bool All => Scenario == "all";

    public IReadOnlyList<int> EffectiveRates => Rates ?? (Quick ? [2, 5] : Failing is not null && !All ? [10] : [2, 5, 10, 20, 50]);

    public TimeSpan EffectiveDuration => Duration ?? TimeSpan.FromSeconds(Quick ? 10 : All ? 20 : 30);

    public TimeSpan EffectiveDrainCap => DrainCap ?? TimeSpan.FromSeconds(Quick ? 20 : All ? 30 : 120);

    public TimeSpan EffectiveInboundDuration => InboundDuration ?? TimeSpan.FromSeconds(Quick ? 10 : All ? 20 : 30);

    public int EffectiveReminders => Reminders ?? (Quick ? 500 : 10_000);

    public int EffectiveReminderUsers => ReminderUsers ?? Math.Max(1, EffectiveReminders / 10);

    public TimeSpan EffectiveReminderCap => ReminderCap ?? TimeSpan.FromSeconds(Quick ? 60 : All ? 150 : 300);

    public int EffectiveUsers => Quick && Users == 50 ? 10 : Users;

    public static LoadOptions? Parse(string[] args)
    {
        var o = new LoadOptions();
        var settings = new List<KeyValuePair<string, string>>();
        var i = 0;
        if (args.Length > 0 && args[0] is "all" or "calendar" or "inbound" or "reminders")
        {
            o = o with { Scenario = args[0] };
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            bool Next() => value is not null && ++i > 0;
            switch (args[i])
            {
                case "--quick":
                    o = o with { Quick = true };
                    continue;
                case "--users" when Next() && Int(value) is > 0 and var n:
                    o = o with { Users = n };
                    continue;
                case "--providers" when Next():
                    var providers = value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (providers.Length == 0 || providers.Any(p => !Providers.All.Contains(p)))
                    {
                        return null;
                    }

                    o = o with { ProviderList = [.. Providers.All.Where(providers.Contains)] };
                    continue;
                case "--rates" when Next():
                    var rates = value!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int).ToList();
                    if (rates.Count == 0 || rates.Any(r => r is not > 0))
                    {
                        return null;
                    }

                    o = o with { Rates = [.. rates.Select(r => r!.Value)] };
                    continue;
                case "--duration" when Next() && Seconds(value) is { } d:
                    o = o with { Duration = d };
                    continue;
                case "--drain-cap" when Next() && Seconds(value) is { } c:
                    o = o with { DrainCap = c };
                    continue;
                case "--reschedules" when Next() && Fraction(value) is { } r:
                    o = o with { Reschedules = r };
                    continue;
                case "--failing" when Next() && Fraction(value) is { } f:
                    o = o with { Failing = f };
                    continue;
                case "--failing-provider" when Next() && Providers.All.Contains(value!):
                    o = o with { FailingProvider = value! };
                    continue;
                case "--failure" when Next() && value is "mixed" or "503" or "429":
                    o = o with { FailureKind = value! };
                    continue;
                case "--retry-after" when Next() && Int(value) is >= 0 and var ra:
                    o = o with { RetryAfterSeconds = ra };
                    continue;
                case "--latency" when Next() && Int(value) is >= 0 and var ms:
                    o = o with { Latency = TimeSpan.FromMilliseconds(ms) };
                    continue;
                case "--interviews-per-user" when Next() && Int(value) is > 0 and var k:
                    o = o with { InterviewsPerUser = k };
                    continue;
                case "--changes-per-second" when Next() && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var cps) && cps > 0:
                    o = o with { ChangesPerSecond = cps };
                    continue;
                case "--deletes" when Next() && Fraction(value) is { } del:
                    o = o with { Deletes = del };
                    continue;
                case "--inbound-duration" when Next() && Seconds(value) is { } id:
                    o = o with { InboundDuration = id };
                    continue;
                case "--inbound-cap" when Next() && Seconds(value) is { } ic:
                    o = o with { InboundCap = ic };
                    continue;
                case "--reconcile-schedule" when Next():
                    o = o with { ReconcileSchedule = value! };
                    continue;
                case "--reminders" when Next() && Int(value) is > 0 and var rn:
                    o = o with { Reminders = rn };
                    continue;
                case "--reminder-users" when Next() && Int(value) is > 0 and var ru:
                    o = o with { ReminderUsers = ru };
                    continue;
                case "--reminder-offset" when Next() && Int(value) is > 0 and var off:
                    o = o with { ReminderOffsetMinutes = off };
                    continue;
                case "--smtp-delay" when Next() && Int(value) is >= 0 and var sd:
                    o = o with { SmtpDelay = TimeSpan.FromMilliseconds(sd) };
                    continue;
                case "--smtp-connections" when Next() && Int(value) is > 0 and var sc:
                    o = o with { SmtpConnections = sc };
                    continue;
                case "--reminder-cap" when Next() && Seconds(value) is { } rc:
                    o = o with { ReminderCap = rc };
                    continue;
                case "--out" when Next():
                    o = o with { Out = value };
                    continue;
                case "--setting" when Next() && value!.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq:
                    settings.Add(new(value[..eq], value[(eq + 1)..]));
                    continue;
                default:
                    return null;
            }
        }

        return o with
        {
            ExtraSettings = settings,
            CommandLine = "dotnet run -c Release --project benchmarks/Interviews.Benchmarks -- load" + (args.Length > 0 ? " " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)) : ""),
        };
    }

    private static int? Int(string? text) => int.TryParse(text?.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static TimeSpan? Seconds(string? text) => Int(text) is > 0 and var s ? TimeSpan.FromSeconds(s) : null;

    private static double? Fraction(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is >= 0 and <= 1 ? f : null;
}
