using System.Globalization;
using System.Text;
using Interviews.Functions.Calendar;

namespace Interviews.Benchmarks.Load;

/// <summary>One change made in a calendar and how long the service took to reflect it (NaN: not within the cap).</summary>
internal sealed record InboundChange(string Provider, bool Delete, double Seconds);

/// <summary>What the polling phase's reads of the calendars show: passes over the connections and their pace.</summary>
internal sealed record PollingFigures(int Reads, double WindowSeconds, int Passes, double ConnectionsPerPass, double MeanPassSeconds, double ConnectionsPerSecond);

/// <summary>
/// <c>inbound</c>: U users, both calendars connected, each with a few interviews linked in both. Then the
/// harness, playing the users, moves or deletes events in the fake calendars at a steady rate and times
/// each until the service shows it: a move until <c>GET /api/interviews/{id}</c> answers the new time, a
/// deletion until the interview's link to that calendar is unlinked (read from the store, which the API
/// does not show). The setup runs with the reconcile timer polling until every connection has been read
/// (so that each has a sync cursor). Phase 1, push: the service restarted (same data, same port) with
/// the reconcile timer never running, so only the providers' notifications can bring a change in
/// (skipped when the service made no watch or subscription). Phase 2, polling: restarted again with
/// <c>CalendarReconcileSchedule</c> short and nothing pushed; the fakes' reads of each calendar give the
/// reconcile's throughput.
/// </summary>
internal static class InboundScenario
{
    /// <summary>A six-field cron that never comes round during a run (1 January, midnight).</summary>
    public const string Never = "0 0 0 1 1 *";

    public static async Task<string> RunAsync(LoadContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var users = o.EffectiveUsers;
        var providers = o.ProviderList;
        Console.WriteLine();
        Console.WriteLine($"== inbound: {users} users × {string.Join('+', providers)}, {o.InterviewsPerUser} interviews each, {o.ChangesPerSecond} changes/s for {o.EffectiveInboundDuration.TotalSeconds:F0} s per phase");

        await using var fakes = await FakeProviders.StartAsync(FakeBehaviour.Clean(o.Latency));
        var folder = context.DataFolder("inbound");
        // Set up with the reconcile timer polling, so that every connection has a sync cursor before the
        // phases: a Graph delta read without a cursor lists no removed events, so a deletion made before
        // a connection's first read would never be seen.
        var settings = new Dictionary<string, string>(fakes.ServiceSettings()) { ["CalendarReconcileSchedule"] = o.ReconcileSchedule };
        var service = await ServiceUnderTest.StartAsync(context, folder, settings, null, cancellationToken);
        try
        {
            return await RunPhasesAsync(context, fakes, folder, settings, () => service, s => service = s, cancellationToken);
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    private static async Task<string> RunPhasesAsync(
        LoadContext context, FakeProviders fakes, string folder, Dictionary<string, string> settings, Func<ServiceUnderTest> current, Action<ServiceUnderTest> replace, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var users = o.EffectiveUsers;
        var providers = o.ProviderList;
        var service = current();
        var port = service.Port;
        var people = Enumerable.Range(0, users).Select(service.User).ToList();
        await Parallel.ForEachAsync(people.SelectMany(u => providers.Select(p => (u, p))), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (x, ct) => await service.ConnectAsync(x.u, x.p, ct));
        await CalendarScenario.WaitForWatchesAsync(fakes, providers, cancellationToken);
        Console.WriteLine($"   connected; push channels: {string.Join(", ", providers.Select(p => $"{p} {fakes.ChannelCount(p)}"))}");

        // Interviews linked in both calendars before anything is changed there.
        var tracker = new WriteTracker(fakes, providers, (_, _) => true);
        var driver = new WriteDriver(service, tracker, people, 0, seed: 17);
        var setup = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(people.SelectMany(u => Enumerable.Repeat(u, o.InterviewsPerUser)), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (u, ct) => await driver.ScheduleAsync(u, null, ct));
        var linkCap = RunClock.Now + 300;
        while (tracker.Backlog() > 0 && RunClock.Now < linkCap)
        {
            await Task.Delay(250, cancellationToken);
        }

        setup.Stop();
        Console.WriteLine($"   {driver.Acked} interviews linked in {setup.Elapsed.TotalSeconds:F1} s ({tracker.Backlog()} not in every calendar)");
        var linked = RunClock.Now;
        var everyone = people.SelectMany(u => providers.Select(p => (p, u.Index))).ToHashSet();
        while (RunClock.Now < linked + 120 && !everyone.IsSubsetOf(fakes.Reads.Where(r => r.At > linked).Select(r => (r.Provider, r.Account))))
        {
            await Task.Delay(250, cancellationToken);
        }

        Console.WriteLine($"   every connection read once more by the reconcile ({RunClock.Now - linked:F1} s)");
        await service.DisposeAsync();
        settings["CalendarReconcileSchedule"] = Never;
        service = await ServiceUnderTest.StartAsync(context, folder, settings, port, cancellationToken);
        replace(service);
        await CalendarScenario.WaitForWatchesAsync(fakes, providers, cancellationToken);
        var pushed = providers.Where(p => fakes.ChannelCount(p) > 0).ToList();
        var pool = new ChangePool(driver.IdleInterviews().Select(x => (people[x.User], x.Interview)));
        var probe = new StoreProbe(service.DatabasePath);

        List<InboundChange> push = [];
        if (pushed.Count > 0)
        {
            Console.WriteLine($"   phase 1, push ({string.Join('+', pushed)}): reconcile timer off");
            push = await ChangeAsync(service, fakes, probe, pool, pushed, driver, o, cancellationToken);
            Print("push", push);
        }
        else
        {
            Console.WriteLine("   phase 1, push: not available (no watch or subscription)");
        }

        await service.DisposeAsync();
        fakes.PushEnabled = false;
        settings["CalendarReconcileSchedule"] = o.ReconcileSchedule;
        service = await ServiceUnderTest.StartAsync(context, folder, settings, port, cancellationToken);
        replace(service);
        probe = new StoreProbe(service.DatabasePath);
        Console.WriteLine($"   phase 2, polling: CalendarReconcileSchedule '{o.ReconcileSchedule}', nothing pushed");
        var from = RunClock.Now;
        var polling = await ChangeAsync(service, fakes, probe, pool, providers, driver, o, cancellationToken);
        var to = RunClock.Now;
        Print("polling", polling);
        var figures = Polling(fakes.Reads.Where(r => r.At >= from && r.At <= to).ToList(), to - from);
        Console.WriteLine($"   reconcile: {figures.Reads} calendar reads in {figures.WindowSeconds:F0} s, {figures.Passes} passes of {figures.ConnectionsPerPass:F0} connections, {figures.MeanPassSeconds:F1} s each: {figures.ConnectionsPerSecond:F1} connections/s");
        return Section(context, users, providers, pushed, fakes, push, polling, figures, setup.Elapsed, driver.Acked);
    }

    /// <summary>Moves and deletes at the configured rate for the phase's duration; waits for each to show or time out.</summary>
    private static async Task<List<InboundChange>> ChangeAsync(
        ServiceUnderTest service, FakeProviders fakes, StoreProbe probe, ChangePool pool, IReadOnlyList<string> providers, WriteDriver driver, LoadOptions o, CancellationToken cancellationToken)
    {
        var random = new Random(providers.Count * 31 + pool.Count);
        var results = new List<InboundChange>();
        var waits = new List<Task>();
        var start = RunClock.Now;
        var total = (int)(o.ChangesPerSecond * o.EffectiveInboundDuration.TotalSeconds);
        for (var n = 0; n < total; n++)
        {
            var wait = start + (n / o.ChangesPerSecond) - RunClock.Now;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken);
            }

            if (pool.Take(random) is not { } item)
            {
                continue;
            }

            var provider = providers[random.Next(providers.Count)];
            var account = fakes.Account(provider, item.User.Index);
            var e = account is null ? null : FakeProviders.EventOf(account, item.Interview);
            if (account is null || e is null)
            {
                continue;
            }

            if (random.NextDouble() < o.Deletes)
            {
                fakes.DeleteAsUser(account, e.Id);
                waits.Add(TimeAsync(results, provider, delete: true, () => Task.FromResult(probe.LinkStateOf(item.User.Id, item.Interview, Providers.ServiceName(provider)) == LinkState.Unlinked), 0.2, o.InboundCap, cancellationToken));
                continue;
            }

            var moved = driver.NextTime();
            fakes.MoveAsUser(account, e.Id, moved);
            waits.Add(Task.Run(async () =>
            {
                await TimeAsync(results, provider, delete: false, async () => await service.ScheduledAtAsync(item.User, item.Interview, cancellationToken) == moved, 0.1, o.InboundCap, cancellationToken);
                // Back in the pool once every calendar shows the new time (the service wrote it to the other one).
                var until = RunClock.Now + o.InboundCap.TotalSeconds;
                while (RunClock.Now < until && providers.Any(p => fakes.Account(p, item.User.Index) is { } a && FakeProviders.EventOf(a, item.Interview) is { } ev && ev.Start != moved))
                {
                    await Task.Delay(200, cancellationToken);
                }

                pool.Return(item);
            }, cancellationToken));
        }

        await Task.WhenAll(waits);
        return results;
    }

    private static async Task TimeAsync(List<InboundChange> results, string provider, bool delete, Func<Task<bool>> shown, double every, TimeSpan cap, CancellationToken cancellationToken)
    {
        var changed = RunClock.Now;
        var seconds = double.NaN;
        while (RunClock.Now - changed < cap.TotalSeconds)
        {
            if (await shown())
            {
                seconds = RunClock.Now - changed;
                break;
            }

            // Polled often at first, less once a change is late: at 10 changes/s every outstanding change polled
            // ten times a second was a large share of the service's own work (a GET each), which made the
            // late ones later. Reading late costs at most 0.25 s of precision after 1 s, 0.5 s after 5 s.
            var waited = RunClock.Now - changed;
            await Task.Delay(TimeSpan.FromSeconds(waited < 1 ? every : waited < 5 ? Math.Max(every, 0.25) : 0.5), cancellationToken);
        }

        lock (results)
        {
            results.Add(new InboundChange(provider, delete, seconds));
        }
    }

    /// <summary>A pass is the run of reads until a connection is read again; its pace is its connections over its length.</summary>
    public static PollingFigures Polling(IReadOnlyList<(double At, string Provider, int Account, bool Full)> reads, double window)
    {
        var passes = new List<(int Count, double Seconds)>();
        var seen = new HashSet<(string, int)>();
        double first = double.NaN, last = double.NaN;
        foreach (var read in reads.OrderBy(r => r.At))
        {
            if (!seen.Add((read.Provider, read.Account)))
            {
                passes.Add((seen.Count - 1, last - first));
                seen.Clear();
                seen.Add((read.Provider, read.Account));
                first = read.At;
            }

            if (double.IsNaN(first))
            {
                first = read.At;
            }

            last = read.At;
        }

        // Complete passes only: the last one may have been cut by the end of the phase.
        var complete = passes.Where(p => p.Count > 1 && p.Seconds > 0).ToList();
        var perPass = complete.Count == 0 ? 0 : complete.Average(p => p.Count);
        var length = complete.Count == 0 ? 0 : complete.Average(p => p.Seconds);
        var rate = complete.Count == 0 ? reads.Count / Math.Max(window, 1) : complete.Sum(p => p.Count) / complete.Sum(p => p.Seconds);
        return new PollingFigures(reads.Count, window, complete.Count, perPass, length, rate);
    }

    private static void Print(string phase, IReadOnlyList<InboundChange> changes)
    {
        var moves = Stats.Of(changes.Where(c => !c.Delete).Select(c => c.Seconds), changes.Count(c => !c.Delete && double.IsNaN(c.Seconds)));
        var deletes = Stats.Of(changes.Where(c => c.Delete).Select(c => c.Seconds), changes.Count(c => c.Delete && double.IsNaN(c.Seconds)));
        Console.WriteLine($"   {phase}: moves {moves.Count} p50/p95/max {moves.Cell} s ({moves.Missing} not shown); deletes {deletes.Count} {deletes.Cell} s ({deletes.Missing} not shown)");
    }

    private static string Section(
        LoadContext context, int users, IReadOnlyList<string> providers, IReadOnlyList<string> pushed, FakeProviders fakes,
        IReadOnlyList<InboundChange> push, IReadOnlyList<InboundChange> polling, PollingFigures figures, TimeSpan setup, int interviews)
    {
        var o = context.Options;
        var md = new StringBuilder();
        md.AppendLine("## Inbound: a change made in the calendar → the interview");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{users} users with {string.Join(" and ", providers.Select(CalendarScenario.Name))} connected ({users * providers.Count} connections), {interviews} interviews linked in every calendar (set up in {setup.TotalSeconds:F0} s); fake providers answer after {o.Latency.TotalMilliseconds:F0} ms. "
            + $"Per phase, {o.ChangesPerSecond:0.##} changes per second for {o.EffectiveInboundDuration.TotalSeconds:F0} s, made as the user in the fake calendar ({o.Deletes:P0} deletions, the rest moves to a new time); each timed until the interview shows the new time (GET /api/interviews/{{id}}) or its link to that calendar is unlinked, up to {o.InboundCap.TotalSeconds:F0} s. Seconds, p50 / p95 / max.");
        md.AppendLine();
        md.AppendLine("| phase | moves | move → interview rescheduled | deletions | deletion → unlinked | not shown within the cap |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        md.AppendLine(pushed.Count == 0
            ? "| push | – | not available: the service made no watch (events.watch) or subscription (POST /subscriptions) | – | – | – |"
            : Row($"push ({string.Join(", ", pushed.Select(CalendarScenario.Name))}; reconcile timer off)", push));
        md.AppendLine(Row($"polling (CalendarReconcileSchedule `{o.ReconcileSchedule}`, nothing pushed)", polling));
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Polling throughput (the reconcile timer, one instance): {figures.Reads} reads of a calendar's changes in {figures.WindowSeconds:F0} s; {figures.Passes} complete passes of {figures.ConnectionsPerPass:F0} connections taking {figures.MeanPassSeconds:F1} s each: "
            + $"**{figures.ConnectionsPerSecond:F1} connections/s, {figures.ConnectionsPerSecond * 900:N0} connections per 15 minutes per instance** (goal: 100,000 per 15 minutes across instances). "
            + $"Push notifications sent by the fakes: {fakes.PushSent} answered 2xx, {fakes.PushFailed} not; Graph validation handshakes: {fakes.Validations} ({fakes.ValidationsFailed} failed).");
        md.AppendLine();
        md.AppendLine("Target: a move or deletion reaches the interview with p95 ≤ 5 s through push.");
        return md.ToString();
    }

    private static string Row(string phase, IReadOnlyList<InboundChange> changes)
    {
        var moves = Stats.Of(changes.Where(c => !c.Delete).Select(c => c.Seconds), 0);
        var deletes = Stats.Of(changes.Where(c => c.Delete).Select(c => c.Seconds), 0);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {phase} | {changes.Count(c => !c.Delete)} | {moves.Cell} | {changes.Count(c => c.Delete)} | {deletes.Cell} | {changes.Count(c => double.IsNaN(c.Seconds))} |");
    }

    /// <summary>Interviews free to be changed: one change at a time each; a deleted event's interview leaves the pool.</summary>
    private sealed class ChangePool(IEnumerable<(BenchUser User, Guid Interview)> items)
    {
        private readonly List<(BenchUser User, Guid Interview)> _free = [.. items];

        public int Count
        {
            get
            {
                lock (_free)
                {
                    return _free.Count;
                }
            }
        }

        public (BenchUser User, Guid Interview)? Take(Random random)
        {
            lock (_free)
            {
                if (_free.Count == 0)
                {
                    return null;
                }

                var i = random.Next(_free.Count);
                var item = _free[i];
                _free.RemoveAt(i);
                return item;
            }
        }

        public void Return((BenchUser User, Guid Interview) item)
        {
            lock (_free)
            {
                _free.Add(item);
            }
        }
    }
}
