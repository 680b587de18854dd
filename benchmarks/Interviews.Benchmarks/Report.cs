using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Interviews.Benchmarks;

/// <summary>Writes results.md (machine, command, targets, a table per size), p95-by-size.svg and the raw figures as JSON.</summary>
internal static class Report
{
    public const string ResultsFile = "results.md";
    public const string ChartFile = "p95-by-size.svg";
    public const string RawFile = "results.json";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly (string Name, string Color)[] Series =
    [
        ("baseline", "#888888"),
        ("list", "#1f77b4"),
        ("list-filtered", "#17becf"),
        ("list-deep", "#9467bd"),
        ("upcoming", "#2ca02c"),
        ("get", "#ff7f0e"),
        ("schedule", "#d62728"),
        ("reschedule", "#8c564b"),
    ];

    public static void Write(string directory, MachineFacts machine, BenchmarkOptions options, IReadOnlyList<SizeResult> results)
    {
        File.WriteAllText(Path.Combine(directory, ResultsFile), Markdown(machine, options, results));
        File.WriteAllText(Path.Combine(directory, ChartFile), Chart(results));
        File.WriteAllText(Path.Combine(directory, RawFile), JsonSerializer.Serialize(new { machine, results }, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Markdown(MachineFacts machine, BenchmarkOptions options, IReadOnlyList<SizeResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmark results");
        md.AppendLine();
        md.AppendLine(Invariant, $"Written by `benchmarks/Interviews.Benchmarks` on {machine.Date:yyyy-MM-dd HH:mm} UTC{(options.Quick ? " (a --quick smoke run: too few requests for a stable p99)" : "")}. Command, from the repository root:");
        if (options.CosmosConnectionString is not null)
        {
            md.AppendLine();
            md.AppendLine(Invariant, $"Store: **Cosmos DB** (`COSMOS_CONNECTION_STRING`, {options.CosmosConnectionMode} mode), a fresh database per size, dropped after it; the RU / request column is the sum of the charges of the store calls each request made. Peak memory is LocalHost's, as on the embedded store.");
        }

        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(machine.Command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine("| fact | value |");
        md.AppendLine("| --- | --- |");
        md.AppendLine(Invariant, $"| CPUs (nproc) | {machine.Processors} ({machine.Cpu}) |");
        md.AppendLine(Invariant, $"| memory | {machine.MemoryBytes / 1073741824.0:F1} GiB |");
        md.AppendLine(Invariant, $"| OS | {machine.Os} |");
        md.AppendLine(Invariant, $"| .NET | {machine.Runtime} |");
        md.AppendLine(Invariant, $"| SQLite | {machine.Sqlite} |");
        md.AppendLine(Invariant, $"| commit | {machine.Commit} |");
        md.AppendLine(Invariant, $"| load average (1, 5, 15 min) at start / end | {machine.LoadAtStart} / {machine.LoadAtEnd} |");
        md.AppendLine();
        md.AppendLine("The machine is shared (other builds and test runs compete for its CPUs), and the client runs on the same cores as the server: absolute times drift from run to run. The figure to quote is the ratio of a list's p95 to the baseline's p95 measured in the same run, over the same process and HTTP stack.");
        md.AppendLine();

        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| target | N | c=1 | c=16 |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var line in Targets(results))
        {
            md.AppendLine(line);
        }

        md.AppendLine();
        md.AppendLine("## Ratio to the baseline (p95 / baseline p95, same run, same concurrency; at c=1 the baseline timed alternating with the operation, `baseline ~ …` in the tables below)");
        md.AppendLine();
        md.AppendLine("| N | list c=1 | list c=16 | list-filtered c=1 | list-filtered c=16 | list-deep c=1 | list-deep c=16 | upcoming c=1 | upcoming c=16 |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            md.Append(Invariant, $"| {r.Size:N0} |");
            foreach (var operation in new[] { "list", "list-filtered", "list-deep", "upcoming" })
            {
                foreach (var c in new[] { 1, 16 })
                {
                    md.Append(Invariant, $" {Ratio(r, operation, c):F2} |");
                }
            }

            md.AppendLine();
        }

        md.AppendLine();
        md.AppendLine("## p95 against N");
        md.AppendLine();
        md.AppendLine(Invariant, $"![p95 latency against the number of interviews per user]({ChartFile})");
        md.AppendLine();

        foreach (var r in results)
        {
            md.AppendLine(Invariant, $"## N = {r.Size:N0} interviews for the measured user");
            md.AppendLine();
            md.AppendLine(Invariant, $"Plus {r.OtherUsers} other users with {r.OtherUsersEach:N0} interviews each. Seeded in {r.SeedTime.TotalSeconds:F1} s; database {r.DatabaseBytes / 1048576.0:F1} MiB. First list page {r.FirstPageBytes:N0} bytes, baseline body {r.BaselineBytes:N0} bytes. LocalHost RSS after start {Mib(r.ResidentAfterStart)} MiB, peak (VmHWM) over the run **{Mib(r.PeakResident)} MiB**.");
            md.AppendLine();
            // On Cosmos DB the responses carry their request charge: RU per request, a column of its own.
            var charged = r.Measurements.Any(m => m.RequestUnits is not null);
            md.AppendLine("| operation | c | requests | errors | p50 ms | p95 ms | p99 ms | max ms | req/s | peak RSS MiB |" + (charged ? " RU / request |" : ""));
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (charged ? " ---: |" : ""));
            foreach (var m in r.Measurements)
            {
                var units = !charged ? "" : m.RequestUnits is { } ru ? string.Create(Invariant, $" {ru:F2} |") : " — |";
                md.AppendLine(Invariant, $"| {m.Operation} | {m.Concurrency} | {m.Requests:N0} | {m.Errors}{(m.FirstError is null ? "" : $" ({m.FirstError})")} | {m.P50Ms:F2} | {m.P95Ms:F2} | {m.P99Ms:F2} | {m.MaxMs:F1} | {m.RequestsPerSecond:F0} | {Mib(m.PeakResidentBytes)} |{units}");
            }

            md.AppendLine();
        }

        md.AppendLine("## How it is measured");
        md.AppendLine();
        md.AppendLine("- Each size gets a fresh SQLite file, seeded through `SqliteDocumentContainer.WriteAsync` (1,000 interviews per atomic write) with interviews built by the domain's own commands: scheduled over the two years before and after the run, past ones mostly completed (half with notes, some with thank-you notes) or cancelled, future ones scheduled, prepared, rescheduled or cancelled; six types, six time zones. Outbox events are not seeded (they expire after a week in production).");
        md.AppendLine("- LocalHost's Release build runs as its own process (`dotnet Interviews.LocalHost.dll --urls http://127.0.0.1:PORT --Storage:SqlitePath=… --Benchmark:BaselineFile=…`), with its shipped settings; the client is another process on the same machine, over loopback, with keep-alive connections.");
        md.AppendLine(Invariant, $"- First every operation runs unmeasured at concurrency 16 ({options.WarmUpTime.TotalSeconds:F0} s for reads, {2 * options.WriteWarmup} writes), so that the JIT has tiered up every path. Then, right before each measurement, the operation is warmed up again at the measured concurrency ({options.ReadWarmUpTime.TotalSeconds:0.#} s for reads, {options.WriteWarmup} writes): the runtime adapts its thread pool and GC heap to each load, and without this the operation measured right after the much lighter baseline paid for the change.");
        md.AppendLine(Invariant, $"- Then {options.ReadRequests:N0} reads or {options.WriteRequests:N0} writes are measured at concurrency 1 and twice as many at 16, each bounded to {options.Budget.TotalSeconds:F0} s. A request is timed from send to the last byte of the body. Percentiles are nearest-rank.");
        md.AppendLine("- Order: every read at concurrency 1 (baseline first), every read at 16 (baseline first), then the writes at 1 and at 16, so that every read sees the seeded N. Schedules add interviews to the same user; reschedules move open future interviews of the seed, a few times each.");
        md.AppendLine(Invariant, $"- At concurrency 1 each read's requests alternate with baseline requests in blocks of {LoadDriver.PairBlock} (`baseline ~ list` and so on), so that the two are timed in the same moments of the shared machine; the ratio at c=1 uses that paired baseline. At 16 the operations are measured alone (alternating would halve the load being measured).");
        md.AppendLine("- Peak RSS is the LocalHost process's VmHWM, reset before each measurement (`/proc/PID/clear_refs`), so each row's figure is that operation's own peak.");
        md.AppendLine();
        md.AppendLine("| operation | request |");
        md.AppendLine("| --- | --- |");
        foreach (var (name, description) in OperationDescriptions)
        {
            md.AppendLine(Invariant, $"| {name} | {description} |");
        }

        return md.ToString();
    }

    private static readonly (string Name, string Description)[] OperationDescriptions =
    [
        ("baseline", "`GET /bench/baseline`: the bytes of the first list page, precomputed and served by the same LocalHost process and middleware (no token check, no store, no serializer)"),
        ("list", "`GET /api/interviews`: the first page (50 items), no filter"),
        ("list-filtered", "`GET /api/interviews?status=Completed&dateFrom=…&dateTo=…`: the last year's completed interviews, first page"),
        ("list-deep", "`GET /api/interviews?cursor=…`: pages N/200 to N/100 deep (a quarter to half of the way), reached by walking the cursors"),
        ("upcoming", "`GET /api/interviews/upcoming`: open interviews in the next 30 days, first page"),
        ("get", "`GET /api/interviews/{id}`: 1,000 of the user's ids in turn"),
        ("schedule", "`POST /api/interviews`: a new interview (201)"),
        ("reschedule", "`PUT /api/interviews/{id}/reschedule`: an open future interview moved to a new time"),
    ];

    private static IEnumerable<string> Targets(IReadOnlyList<SizeResult> results)
    {
        if (results.Count == 0)
        {
            yield break;
        }

        if (results.FirstOrDefault(r => r.Size == 1_000) is { } small)
        {
            yield return Row("list p95 ≤ 20 ms", small, "list", 20);
        }

        if (results.FirstOrDefault(r => r.Size == 100_000) is { } large)
        {
            yield return Row("list p95 ≤ 30 ms", large, "list", 30);
        }

        foreach (var r in results)
        {
            yield return RatioRow(r);
        }

        foreach (var r in results)
        {
            yield return Row("get p95 ≤ 10 ms", r, "get", 10);
        }

        foreach (var r in results)
        {
            yield return Row("schedule p95 ≤ 20 ms", r, "schedule", 20);
        }

        var first = results.MinBy(r => r.Size)!;
        var last = results.MaxBy(r => r.Size)!;
        if (first == last)
        {
            yield return string.Create(Invariant, $"| peak memory flat in N | {first.Size:N0} only | {Mib(first.PeakResident)} MiB | needs two sizes |");
            yield break;
        }

        var growth = last.PeakResident - first.PeakResident;
        var flat = growth <= Math.Max(first.PeakResident / 4, 32L * 1048576);
        yield return string.Create(
            Invariant,
            $"| peak memory flat in N (growth ≤ 25 % of the smallest N's peak, or 32 MiB) | {first.Size:N0} → {last.Size:N0} | {Mib(first.PeakResident)} → {Mib(last.PeakResident)} MiB | {(flat ? "met" : "**missed**")} |");
    }

    private static string Row(string target, SizeResult r, string operation, double limit)
    {
        string Cell(int c) => r.Find(operation, c) is { } m ? $"{m.P95Ms:F2} ms {(m.P95Ms <= limit ? "met" : "**missed**")}" : "–";
        return string.Create(Invariant, $"| {target} | {r.Size:N0} | {Cell(1)} | {Cell(16)} |");
    }

    private static string RatioRow(SizeResult r)
    {
        string Cell(int c)
        {
            var ratio = Ratio(r, "list", c);
            return double.IsNaN(ratio) ? "–" : string.Create(Invariant, $"{ratio:F2} {(ratio <= 3 ? "met" : "**missed**")}");
        }

        return string.Create(Invariant, $"| list p95 / baseline p95 ≤ 3 | {r.Size:N0} | {Cell(1)} | {Cell(16)} |");
    }

    /// <summary>At concurrency 1 against the baseline timed alternating with the operation (when there is one), else against the baseline's own measurement.</summary>
    private static double Ratio(SizeResult r, string operation, int concurrency) =>
        r.Find(operation, concurrency) is { } m
        && (r.Find(Operations.PairedBaseline(operation), concurrency) ?? r.Find(Operations.Baseline, concurrency)) is { P95Ms: > 0 } b
            ? m.P95Ms / b.P95Ms
            : double.NaN;

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F0", Invariant);

    /// <summary>Two panels (concurrency 1 and 16): p95 in ms against N on a log axis, one line per operation.</summary>
    private static string Chart(IReadOnlyList<SizeResult> results)
    {
        const int panelWidth = 440, panelHeight = 300, left = 60, top = 40, gap = 40, legendHeight = 70;
        const int right = 40;
        var width = (2 * (left + panelWidth)) + gap + right;
        var height = top + panelHeight + 50 + legendHeight;
        var svg = new StringBuilder();
        svg.AppendLine(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(Invariant, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        var sizes = results.Select(r => r.Size).Distinct().Order().ToArray();
        for (var p = 0; p < 2; p++)
        {
            var concurrency = p == 0 ? 1 : 16;
            var x0 = left + (p * (left + panelWidth + gap));
            var max = results.SelectMany(r => r.Measurements).Where(m => m.Concurrency == concurrency).Select(m => m.P95Ms).DefaultIfEmpty(1).Max();
            var yMax = NiceCeiling(max);
            double X(int size) => sizes.Length == 1
                ? x0 + (panelWidth / 2.0)
                : x0 + 20 + ((panelWidth - 40) * (Math.Log10(size) - Math.Log10(sizes[0])) / (Math.Log10(sizes[^1]) - Math.Log10(sizes[0])));
            double Y(double ms) => top + panelHeight - (panelHeight * ms / yMax);

            svg.AppendLine(Invariant, $"<text x=\"{x0 + (panelWidth / 2)}\" y=\"{top - 16}\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">p95 latency, concurrency {concurrency}</text>");
            for (var t = 0; t <= 5; t++)
            {
                var value = yMax * t / 5;
                var y = Y(value);
                svg.AppendLine(Invariant, $"<line x1=\"{x0}\" y1=\"{y:F1}\" x2=\"{x0 + panelWidth}\" y2=\"{y:F1}\" stroke=\"#e5e5e5\"/>");
                svg.AppendLine(Invariant, $"<text x=\"{x0 - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{value:0.##}</text>");
            }

            svg.AppendLine(Invariant, $"<rect x=\"{x0}\" y=\"{top}\" width=\"{panelWidth}\" height=\"{panelHeight}\" fill=\"none\" stroke=\"#444\"/>");
            svg.AppendLine(Invariant, $"<text x=\"{x0 - 44}\" y=\"{top + (panelHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 {x0 - 44} {top + (panelHeight / 2)})\">p95 (ms)</text>");
            foreach (var size in sizes)
            {
                svg.AppendLine(Invariant, $"<text x=\"{X(size):F1}\" y=\"{top + panelHeight + 18}\" text-anchor=\"middle\">{size:N0}</text>");
            }

            svg.AppendLine(Invariant, $"<text x=\"{x0 + (panelWidth / 2)}\" y=\"{top + panelHeight + 38}\" text-anchor=\"middle\">interviews per user (N, log scale)</text>");
            foreach (var (name, color) in Series)
            {
                var points = results
                    .Select(r => (r.Size, M: r.Find(name, concurrency)))
                    .Where(x => x.M is not null)
                    .Select(x => (X: X(x.Size), Y: Y(x.M!.P95Ms)))
                    .ToList();
                if (points.Count == 0)
                {
                    continue;
                }

                var dash = name == "baseline" ? " stroke-dasharray=\"5 4\"" : "";
                svg.AppendLine(Invariant, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{string.Join(' ', points.Select(pt => string.Create(Invariant, $"{pt.X:F1},{pt.Y:F1}")))}\"/>");
                foreach (var pt in points)
                {
                    svg.AppendLine(Invariant, $"<circle cx=\"{pt.X:F1}\" cy=\"{pt.Y:F1}\" r=\"3\" fill=\"{color}\"/>");
                }
            }
        }

        var legendTop = top + panelHeight + 60;
        for (var i = 0; i < Series.Length; i++)
        {
            var (name, color) = Series[i];
            var lx = left + ((i % 4) * 220);
            var ly = legendTop + ((i / 4) * 22);
            var dash = name == "baseline" ? " stroke-dasharray=\"5 4\"" : "";
            svg.AppendLine(Invariant, $"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 28}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>");
            svg.AppendLine(Invariant, $"<text x=\"{lx + 34}\" y=\"{ly + 4}\">{name}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>1, 2, 2.5 or 5 times a power of ten, at or above <paramref name="value"/>.</summary>
    public static double NiceCeiling(double value)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(value, 0.001))));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * power >= value)
            {
                return step * power;
            }
        }

        return 10 * power;
    }
}
