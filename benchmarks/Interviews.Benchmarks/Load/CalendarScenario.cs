using System.Globalization;
using System.Text;

namespace Interviews.Benchmarks.Load;

/// <summary>The figures of one calendar run (one write rate, clean or with failing users).</summary>
internal sealed record CalendarRun(
    int Rate,
    double? Failing,
    int Users,
    IReadOnlyList<string> ProviderList,
    TimeSpan ConnectTime,
    bool PushWatches,
    int Writes,
    int RefusedWrites,
    IReadOnlyDictionary<string, Stats> PerProvider,
    Stats Everywhere,
    Stats HealthyEverywhere,
    IReadOnlyDictionary<string, Stats> FailingUsersPerProvider,
    int PeakBacklog,
    double? DrainSeconds,
    int BacklogAtEnd,
    int Duplicates,
    int DeduplicatedCreates,
    IReadOnlyDictionary<string, int> Undelivered,
    int PeakInFlight,
    long ProviderCalls,
    long FailedCalls,
    IReadOnlyList<(double T, int Backlog)> Backlog,
    bool StillWorkingAtEnd);

/// <summary>p50, p95 and max of a set of latencies in seconds, and how many were measured / missing.</summary>
internal sealed record Stats(int Count, int Missing, double P50, double P95, double Max)
{
    public static Stats Of(IEnumerable<double> values, int missing)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0
            ? new Stats(0, missing, double.NaN, double.NaN, double.NaN)
            : new Stats(sorted.Length, missing, LoadDriver.Percentile(sorted, 0.50), LoadDriver.Percentile(sorted, 0.95), sorted[^1]);
    }

    public string Cell => Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{P50:F1} / {P95:F1} / {Max:F1}");
}

/// <summary>
/// <c>calendar</c>: U users connect Google and Microsoft through the consent flow; schedules and
/// reschedules go through the API at a steady rate for D seconds; then the harness waits (up to the
/// drain cap) until every write is in every calendar. With <c>--failing F</c>, each rate runs clean and
/// with the first F·U users' calls to one provider failing (503, or 429 with Retry-After), and the other
/// users' p95 is compared with the clean run's, over the same users.
/// </summary>
internal static class CalendarScenario
{
    private static readonly Dictionary<int, CalendarRun> CleanRuns = [];

    public static async Task<string> RunAsync(LoadContext context, double? failing, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var rates = failing is null ? o.EffectiveRates : o.Scenario == "all" ? [10] : o.EffectiveRates;
        var runs = new List<CalendarRun>();
        foreach (var rate in rates)
        {
            if (failing is null || !CleanRuns.ContainsKey(rate))
            {
                var clean = await RunOnceAsync(context, rate, null, cancellationToken);
                CleanRuns[rate] = clean;
                runs.Add(clean);
                Print(clean);
            }
            else
            {
                runs.Add(CleanRuns[rate]);
            }

            if (failing is not null)
            {
                var run = await RunOnceAsync(context, rate, failing, cancellationToken);
                runs.Add(run);
                Print(run);
            }
        }

        return failing is null ? Section(context, runs) : FailingSection(context, runs, failing.Value);
    }

    private static async Task<CalendarRun> RunOnceAsync(LoadContext context, int rate, double? failing, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var users = o.EffectiveUsers;
        var providers = o.ProviderList;
        var failingCount = (int)Math.Ceiling(users * (failing ?? 0));
        // The users who fail in a failing run; the others' figures are compared across runs.
        var healthyFrom = (int)Math.Ceiling(users * (o.Failing ?? 0.1));
        Console.WriteLine();
        Console.WriteLine($"== calendar: {rate} writes/s for {o.EffectiveDuration.TotalSeconds:F0} s, {users} users × {string.Join('+', providers)}"
            + (failing is { } f ? $", {failingCount} users failing at {o.FailingProvider} ({o.FailureKind})" : ""));

        await using var fakes = await FakeProviders.StartAsync(FakeBehaviour.Clean(o.Latency));
        var folder = context.DataFolder($"calendar-{rate}{(failing is null ? "" : "-failing")}");
        await using var service = await ServiceUnderTest.StartAsync(context, folder, fakes.ServiceSettings(), null, cancellationToken);
        var people = Enumerable.Range(0, users).Select(service.User).ToList();

        var connecting = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(people.SelectMany(u => providers.Select(p => (u, p))), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (x, ct) => await service.ConnectAsync(x.u, x.p, ct));
        connecting.Stop();
        var watches = await WaitForWatchesAsync(fakes, providers, cancellationToken);
        Console.WriteLine($"   {users * providers.Count} connections in {connecting.Elapsed.TotalSeconds:F1} s; push channels: {string.Join(", ", providers.Select(p => $"{p} {fakes.ChannelCount(p)}"))}");

        var failingSet = Enumerable.Range(0, failingCount).ToHashSet();
        fakes.Behaviour = new FakeBehaviour(o.Latency, o.FailingProvider, failingSet, o.FailureKind, o.RetryAfterSeconds);
        bool Expected(TrackedWrite w, string provider) => !(failingSet.Contains(w.User) && provider == o.FailingProvider);
        var tracker = new WriteTracker(fakes, providers, Expected);
        var driver = new WriteDriver(service, tracker, people, o.Reschedules, seed: rate);

        fakes.ResetPeak();
        var callsBefore = fakes.Calls;
        var failedBefore = fakes.FailedCalls;
        var loadStart = RunClock.Now;
        var backlog = new List<(double T, int Backlog)>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                lock (backlog)
                {
                    backlog.Add((RunClock.Now - loadStart, tracker.Backlog()));
                }

                try
                {
                    await Task.Delay(500, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, CancellationToken.None);

        // Open loop: the n-th write starts at n / rate seconds, whatever the answers before it.
        var total = (int)(rate * o.EffectiveDuration.TotalSeconds);
        var writes = new List<Task>(total);
        for (var n = 0; n < total; n++)
        {
            var due = loadStart + ((double)n / rate);
            var wait = due - RunClock.Now;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken);
            }

            writes.Add(driver.WriteAsync(cancellationToken));
        }

        await Task.WhenAll(writes);
        var loadEnd = RunClock.Now;
        Console.WriteLine($"   {driver.Acked} writes acked ({driver.Refused} refused) in {loadEnd - loadStart:F1} s; backlog {tracker.Backlog()} at the end of the load");

        // Drain: until every write is in every calendar it is expected in, or the cap.
        var cap = loadEnd + o.EffectiveDrainCap.TotalSeconds;
        while (tracker.Backlog() > 0 && RunClock.Now < cap)
        {
            await Task.Delay(250, cancellationToken);
        }

        var end = RunClock.Now;
        var callsNearEnd = fakes.Calls;
        await Task.Delay(1000, cancellationToken);
        var stillWorking = fakes.Calls > callsNearEnd;
        await sampling.CancelAsync();
        await sampler;

        var all = tracker.Writes.Where(w => !double.IsNaN(w.AckedAt)).ToList();
        var left = tracker.Backlog();
        double? drain = left == 0
            ? Math.Max(0, all.Select(w => providers.Where(p => Expected(w, p)).Select(p => w.ShownAt[p]).DefaultIfEmpty(loadEnd).Max()).DefaultIfEmpty(loadEnd).Max() - loadEnd)
            : null;
        var perProvider = providers.ToDictionary(
            p => p,
            p => Stats.Of(all.Where(w => Expected(w, p)).Select(w => WriteTracker.Latency(w, p)), all.Count(w => Expected(w, p) && !w.ShownAt.ContainsKey(p))),
            StringComparer.Ordinal);
        var failingPerProvider = providers.ToDictionary(
            p => p,
            p => Stats.Of(all.Where(w => failingSet.Contains(w.User) && Expected(w, p)).Select(w => WriteTracker.Latency(w, p)), 0),
            StringComparer.Ordinal);
        var run = new CalendarRun(
            rate,
            failing,
            users,
            providers,
            connecting.Elapsed,
            watches,
            all.Count,
            driver.Refused,
            perProvider,
            Stats.Of(all.Select(tracker.LatencyEverywhere), all.Count(w => !tracker.ShownEverywhere(w))),
            Stats.Of(all.Where(w => w.User >= healthyFrom).Select(tracker.LatencyEverywhere), all.Count(w => w.User >= healthyFrom && !tracker.ShownEverywhere(w))),
            failingPerProvider,
            backlog.Count == 0 ? 0 : backlog.Max(b => b.Backlog),
            drain,
            left,
            fakes.Duplicates(),
            fakes.DeduplicatedCreates,
            tracker.Undelivered(),
            fakes.PeakInFlight,
            fakes.Calls - callsBefore,
            fakes.FailedCalls - failedBefore,
            [.. backlog],
            left > 0 && stillWorking);
        _ = end;
        return run;
    }

    /// <summary>Watches and subscriptions the service made after connecting (it may make them in the background): true when any appeared within 5 s.</summary>
    public static async Task<bool> WaitForWatchesAsync(FakeProviders fakes, IReadOnlyList<string> providers, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 20; i++)
        {
            if (providers.All(p => fakes.ChannelCount(p) > 0))
            {
                return true;
            }

            await Task.Delay(250, cancellationToken);
        }

        return providers.Any(p => fakes.ChannelCount(p) > 0);
    }

    private static void Print(CalendarRun r)
    {
        Console.WriteLine($"   write → calendar p50/p95/max s: {string.Join("; ", r.PerProvider.Select(p => $"{p.Key} {p.Value.Cell}"))}; every calendar {r.Everywhere.Cell}");
        Console.WriteLine($"   backlog peak {r.PeakBacklog}, {(r.DrainSeconds is { } d ? $"zero {d:F1} s after the load" : $"{r.BacklogAtEnd} left at the cap")}; duplicates {r.Duplicates}; undelivered {string.Join(", ", r.Undelivered.Select(u => $"{u.Key} {u.Value}"))}; peak in flight {r.PeakInFlight}; {r.ProviderCalls} provider calls ({r.FailedCalls} failed)");
    }

    private static string Section(LoadContext context, IReadOnlyList<CalendarRun> runs)
    {
        var o = context.Options;
        var first = runs[0];
        var chart = context.ChartPath("calendar");
        File.WriteAllText(chart, LoadCharts.Calendar(runs));
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Calendar: write → event in the calendars");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{first.Users} users, each connected to {string.Join(" and ", first.ProviderList.Select(Name))} through the consent flow; fake providers answer every call after {o.Latency.TotalMilliseconds:F0} ms. "
            + $"Writes through the API at a steady rate for {o.EffectiveDuration.TotalSeconds:F0} s ({o.Reschedules:P0} reschedules of existing interviews, the rest new schedules), then up to {o.EffectiveDrainCap.TotalSeconds:F0} s for the backlog to empty. "
            + $"Latency is from the API's answer to the first change in the calendar that shows the write (or a later write of the same interview), in seconds: p50 / p95 / max. "
            + $"Push channels after connecting: {(first.PushWatches ? "yes" : "none (the service made no watch or subscription)")}.");
        md.AppendLine();
        md.AppendLine("| writes/s | writes | " + string.Join(" | ", first.ProviderList.Select(p => $"→ {Name(p)}")) + " | → every calendar | backlog peak | backlog zero after the load | duplicates | undelivered at the end | peak provider calls in flight | provider calls |");
        md.AppendLine("| ---: | ---: | " + string.Join(" | ", first.ProviderList.Select(_ => "---:")) + " | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in runs)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Rate} | {r.Writes}{(r.RefusedWrites > 0 ? $" ({r.RefusedWrites} refused)" : "")} | {string.Join(" | ", r.ProviderList.Select(p => r.PerProvider[p].Cell))} | {r.Everywhere.Cell} | {r.PeakBacklog} | {Drain(r)} | {r.Duplicates} | {string.Join(", ", r.Undelivered.Select(u => $"{Name(u.Key)} {u.Value}"))} | {r.PeakInFlight} | {r.ProviderCalls} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"![backlog over time and latency per write rate]({Path.GetFileName(chart)})");
        md.AppendLine();
        md.AppendLine("Targets: p95 ≤ 3 s into both calendars at 50 writes/s, backlog zero within 5 s after the load, no duplicates, nothing lost. "
            + "\"Undelivered\" counts interviews whose last write was not in that calendar when the run ended: lost, or still queued when the drain cap stopped the run.");
        var target = runs.FirstOrDefault(r => r.Rate == 50 && r.Failing is null);
        if (target is not null)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"At 50 writes/s: every-calendar p95 {Seconds(target.Everywhere.P95)} ({(target.Everywhere.P95 <= 3 && target.Everywhere.Missing == 0 ? "met" : "**missed**")}), backlog zero after {Drain(target)} ({(target.DrainSeconds is <= 5 ? "met" : "**missed**")}).");
        }

        return md.ToString();
    }

    private static string FailingSection(LoadContext context, IReadOnlyList<CalendarRun> runs, double failing)
    {
        var o = context.Options;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Calendar with {failing:P0} of the users failing at {Name(o.FailingProvider)}");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"As the calendar scenario, each rate twice: clean, and with the first {failing:P0} of the users' {Name(o.FailingProvider)} calls answering ")
            + (o.FailureKind switch { "429" => $"429 with Retry-After: {o.RetryAfterSeconds}", "503" => "503", _ => $"503 and 429 (Retry-After: {o.RetryAfterSeconds}) in turn" })
            + " for the whole run. The other users' every-calendar latency (p50 / p95 / max, s) is compared over the same users in both runs; the target is a p95 within 20 % of the clean run's.");
        md.AppendLine();
        md.AppendLine("| writes/s | run | other users → every calendar | p95 vs clean | failing users → their other calendar | backlog peak | duplicates | undelivered at the end | provider calls (failed) |");
        md.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in runs.GroupBy(r => r.Rate))
        {
            var clean = group.First(r => r.Failing is null);
            foreach (var r in group)
            {
                var ratio = r.HealthyEverywhere.P95 / clean.HealthyEverywhere.P95;
                var other = o.ProviderList.FirstOrDefault(p => p != o.FailingProvider);
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Rate} | {(r.Failing is null ? "clean" : "failing")} | {r.HealthyEverywhere.Cell}{(r.HealthyEverywhere.Missing > 0 ? $" ({r.HealthyEverywhere.Missing} not shown)" : "")} | {(r.Failing is null ? "–" : double.IsNaN(ratio) ? "–" : $"{ratio:F2}× {(ratio <= 1.2 ? "met" : "**missed**")}")} | "
                    + $"{(r.Failing is null || other is null ? "–" : r.FailingUsersPerProvider[other].Cell)} | {r.PeakBacklog} | {r.Duplicates} | {string.Join(", ", r.Undelivered.Select(u => $"{Name(u.Key)} {u.Value}"))} | {r.ProviderCalls} ({r.FailedCalls}) |");
            }
        }

        return md.ToString();
    }

    private static string Drain(CalendarRun r) =>
        r.DrainSeconds is { } d ? string.Create(CultureInfo.InvariantCulture, $"{d:F1} s") : $"not within the cap ({r.BacklogAtEnd} left{(r.StillWorkingAtEnd ? ", still working" : ", service idle")})";

    private static string Seconds(double s) => double.IsNaN(s) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{s:F1} s");

    public static string Name(string provider) => provider == Providers.Google ? "Google" : "Microsoft";
}

/// <summary>
/// Makes the writes of a calendar run: each picks a random user, and reschedules one of that user's
/// interviews that has no write in flight (with probability <c>reschedules</c>) or schedules a new one.
/// Times are unique per interview and spread over two years from two days ahead, so that writes do not
/// pile up in the conflict check.
/// </summary>
internal sealed class WriteDriver(ServiceUnderTest service, WriteTracker tracker, IReadOnlyList<BenchUser> users, double reschedules, int seed)
{
    private readonly Random _random = new(seed);
    private readonly object _gate = new();
    private readonly Dictionary<int, List<(Guid Id, int Ordinal)>> _idle = [];
    private readonly DateTimeOffset _base = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(2);
    private int _times;
    private int _acked;
    private int _refused;

    public int Acked => Volatile.Read(ref _acked);

    public int Refused => Volatile.Read(ref _refused);

    /// <summary>The n-th unique time: 7,919 (a prime) minutes after the previous one, wrapping at two years.</summary>
    public DateTimeOffset NextTime() => _base.AddMinutes((long)Interlocked.Increment(ref _times) * 7_919 % (2 * 365 * 24 * 60));

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        BenchUser user;
        (Guid Id, int Ordinal)? target = null;
        lock (_gate)
        {
            user = users[_random.Next(users.Count)];
            if (_idle.TryGetValue(user.Index, out var idle) && idle.Count > 0 && _random.NextDouble() < reschedules)
            {
                var pick = _random.Next(idle.Count);
                target = idle[pick];
                idle.RemoveAt(pick);
            }
        }

        var at = NextTime();
        if (target is { } t)
        {
            var write = new TrackedWrite(user.Index, t.Id, t.Ordinal + 1, at, RunClock.Now, reschedule: true);
            tracker.Add(write);
            var status = await service.RescheduleAsync(user, t.Id, at, cancellationToken);
            write.AckedAt = RunClock.Now;
            if (status is >= 200 and < 300)
            {
                Interlocked.Increment(ref _acked);
                Idle(user.Index, t.Id, write.Ordinal);
            }
            else
            {
                tracker.Remove(write);
                Interlocked.Increment(ref _refused);
                Idle(user.Index, t.Id, t.Ordinal);
            }

            return;
        }

        await ScheduleAsync(user, at, cancellationToken);
    }

    /// <summary>Schedules a new interview for <paramref name="user"/> (at the next unique time when none is given) and follows it.</summary>
    public async Task ScheduleAsync(BenchUser user, DateTimeOffset? time, CancellationToken cancellationToken)
    {
        var at = time ?? NextTime();
        var sent = RunClock.Now;
        var (id, _) = await service.ScheduleAsync(user, at, cancellationToken);
        var acked = RunClock.Now;
        if (id is not { } interview)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        tracker.Add(new TrackedWrite(user.Index, interview, 0, at, sent, reschedule: false) { AckedAt = acked });
        Interlocked.Increment(ref _acked);
        Idle(user.Index, interview, 0);
    }

    /// <summary>The interviews with no write in flight: (user, interview).</summary>
    public IReadOnlyList<(int User, Guid Interview)> IdleInterviews()
    {
        lock (_gate)
        {
            return [.. _idle.SelectMany(u => u.Value.Select(i => (u.Key, i.Id)))];
        }
    }

    private void Idle(int user, Guid interview, int ordinal)
    {
        lock (_gate)
        {
            if (!_idle.TryGetValue(user, out var idle))
            {
                _idle[user] = idle = [];
            }

            idle.Add((interview, ordinal));
        }
    }
}
