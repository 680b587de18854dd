using Interviews.Functions.Interviews;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Microsoft.Azure.Cosmos;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Configuration;

namespace Interviews.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Interviews.Benchmarks [-- --sizes 1000,10000,100000] [--quick] [--out DIR]</c>:
/// for each size N, seeds N interviews for one user (and other users' data) in a fresh SQLite file,
/// starts LocalHost on it as a separate process, measures every operation at concurrency 1 and 16
/// against the same-run baseline, and writes results.md and p95-by-size.svg. <c>-- load …</c> is the
/// background-work load benchmark (<see cref="Load.LoadProgram"/>).
/// </summary>
internal static class BenchmarkProgram
{
    public const string User = "bench-user";
    private const int OtherUsers = 4;

    public static async Task<int> Main(string[] args)
    {
        if (args is [BaselineHost.Command, .. var serveArgs])
        {
            return BaselineHost.Run(serveArgs);
        }

        if (args is [Load.LoadProgram.Command, .. var loadArgs])
        {
            return await Load.LoadProgram.RunAsync(loadArgs, RepositoryRoot(), typeof(BenchmarkProgram).Assembly.Location);
        }

        if (BenchmarkOptions.Parse(args) is not { } options)
        {
            await Console.Error.WriteLineAsync(BenchmarkOptions.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var repository = RepositoryRoot();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        // LocalHost runs in a process of its own: this program, in its serve mode (BaselineHost).
        var localHostDll = typeof(BenchmarkProgram).Assembly.Location;

        if (!configuration.Equals("Release", StringComparison.OrdinalIgnoreCase))
        {
            Console.WriteLine($"warning: a {configuration} build; figures are only meaningful with -c Release.");
        }

        // A run on Cosmos DB or a smoke run never overwrites the embedded store's full results.
        var outputDirectory = Path.GetFullPath(options.OutputDirectory ?? Path.Combine(
            repository, "benchmarks", options.CosmosConnectionString is not null ? Path.Combine("out", "cosmos") : options.Quick ? Path.Combine("out", "quick") : ""));
        var workDirectory = Path.Combine(repository, "benchmarks", "out", "work");
        Directory.CreateDirectory(outputDirectory);
        var machine = MachineFacts.Read(repository, options.CommandLine);
        Console.WriteLine($"LocalHost: {localHostDll}");
        Console.WriteLine(machine.Summary);

        var results = new List<SizeResult>();
        foreach (var size in options.Sizes)
        {
            results.Add(await RunSizeAsync(size, options, localHostDll, Path.Combine(workDirectory, $"n{size}"), cancel.Token));
            // Written after every size, so a long run that is stopped still leaves its figures.
            Report.Write(outputDirectory, machine with { LoadAtEnd = MachineFacts.LoadAverage() }, options, results);
        }

        Console.WriteLine($"Results: {Path.Combine(outputDirectory, Report.ResultsFile)}");
        return 0;
    }

    private static async Task<SizeResult> RunSizeAsync(int size, BenchmarkOptions options, string localHostDll, string directory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "interviews.db");
        var now = DateTimeOffset.UtcNow;
        var userId = DevelopmentTokens.UserIdOf(User);
        var others = Enumerable.Range(1, OtherUsers).Select(i => DevelopmentTokens.UserIdOf($"bench-other-{i}")).ToList();
        var othersEach = Math.Max(500, size / 10);

        Console.WriteLine();
        Console.WriteLine($"== N = {size:N0} interviews for {User} (+{OtherUsers} other users with {othersEach:N0} each)");
        var seeding = Stopwatch.StartNew();
        SeededUser seeded;
        long databaseBytes;
        var storeEnvironment = new Dictionary<string, string>();
        CosmosClient? cosmos = null;
        string? cosmosDatabase = null;
        if (options.CosmosConnectionString is { } connectionString)
        {
            // The same run on Cosmos DB: a fresh database per size, seeded through the production
            // container in batches of at most 100, and LocalHost told to report each request's RU.
            cosmosDatabase = $"interviews-bench-n{size}-{now:yyyyMMddHHmmss}";
            var settings = new CosmosSettings { ConnectionString = connectionString, DatabaseName = cosmosDatabase, ConnectionMode = options.CosmosConnectionMode };
            cosmos = settings.CreateClient();
            await CosmosSetup.CreateIfNotExistsAsync(cosmos, cosmosDatabase, CosmosContainerDefinitions.Embedded.Containers.Select(c => c.ToProperties()), cancellationToken);
            var container = CosmosDocumentContainer.Create(cosmos, settings, InterviewStore.Indexes, NullLogger<CosmosDocumentContainer>.Instance, null);
            seeded = await Seeder.SeedAsync(container, CosmosDocumentContainer.MaxBatchWrites, userId, size, others, othersEach, now, seed: size, cancellationToken);
            databaseBytes = 0;
            storeEnvironment["Cosmos__ConnectionString"] = connectionString;
            storeEnvironment["Cosmos__DatabaseName"] = cosmosDatabase;
            storeEnvironment["Cosmos__ConnectionMode"] = options.CosmosConnectionMode.ToString();
            storeEnvironment[RequestChargeHeader.Setting.Replace(":", "__", StringComparison.Ordinal)] = "true";
        }
        else
        {
            var container = new SqliteDocumentContainer(database, InterviewStore.Indexes, TimeProvider.System);
            seeded = await Seeder.SeedAsync(container, Seeder.SqliteBatchSize, userId, size, others, othersEach, now, seed: size, cancellationToken);
            container.Dispose();
            SqliteConnection.ClearAllPools();
            databaseBytes = new FileInfo(database).Length + (File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0);
        }

        seeding.Stop();
        Console.WriteLine($"   seeded in {seeding.Elapsed.TotalSeconds:F1} s; " + (cosmos is null ? $"database {databaseBytes / 1048576.0:F1} MiB" : $"Cosmos DB database {cosmosDatabase}"));

        var baselineFile = Path.Combine(directory, "baseline.json");
        await File.WriteAllBytesAsync(baselineFile, seeded.FirstPageJson, cancellationToken);

        await using var host = await LocalHostProcess.StartAsync(localHostDll, database, baselineFile, Path.Combine(directory, "localhost.log"), storeEnvironment, null, cancellationToken);
        await using var dropDatabase = new AsyncCleanup(async () =>
        {
            if (cosmos is not null)
            {
                await cosmos.GetDatabase(cosmosDatabase).DeleteAsync(cancellationToken: CancellationToken.None);
                cosmos.Dispose();
            }
        });
        var startedResident = host.ResidentBytes();
        var startedPeak = host.PeakResidentBytes();
        Console.WriteLine($"   LocalHost pid {host.Id} on {host.BaseAddress}: RSS {startedResident / 1048576.0:F0} MiB after start");

        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            MaxConnectionsPerServer = 64,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        using var client = new HttpClient(handler) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var tokens = DevelopmentTokens.From(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Path.GetDirectoryName(localHostDll)!, "appsettings.json"))
            .Build());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Mint(User, null, DateTimeOffset.UtcNow));

        // The real first page must be what the baseline serves, byte for byte in size.
        var firstPage = await client.GetByteArrayAsync(new Uri("api/interviews", UriKind.Relative), cancellationToken);
        Console.WriteLine($"   first page {firstPage.Length:N0} bytes; baseline {seeded.FirstPageJson.Length:N0} bytes"
            + (firstPage.AsSpan().SequenceEqual(seeded.FirstPageJson) ? ", byte for byte the same" : ", DIFFERENT bytes"));
        var deepCursors = await DeepCursorsAsync(client, size, cancellationToken);
        Console.WriteLine($"   {deepCursors.Count} deep cursors (pages {Math.Max(1, size / 50 / 4)}..{Math.Max(1, size / 50 / 2)})");

        var operations = Operations.For(seeded, now, deepCursors);
        var driver = new LoadDriver(client);
        // Every path runs for a while before anything is measured, so that the JIT has tiered it up.
        foreach (var operation in operations)
        {
            await driver.WarmUpAsync(operation, 16, operation.IsWrite ? 2 * options.WriteWarmup : int.MaxValue, options.WarmUpTime, cancellationToken);
        }

        // Reads at concurrency 1, then at 16, then writes at 1 and at 16: every read sees the seeded N, and
        // the baseline is measured first in each block.
        var measurements = new List<Measurement>();
        var plan = new[] { false, true }
            .SelectMany(writes => new[] { 1, 16 }.SelectMany(c => operations.Where(o => o.IsWrite == writes).Select(o => (Operation: o, Concurrency: c))));
        var baseline = operations.Single(o => o.Name == Operations.Baseline);
        foreach (var (operation, concurrency) in plan)
        {
            var requests = (operation.IsWrite ? options.WriteRequests : options.ReadRequests) * (concurrency == 1 ? 1 : 2);
            IEnumerable<Measurement> measured;
            if (operation.IsWrite)
            {
                measured = [await driver.RunAsync(operation, concurrency, requests, options.WriteWarmup, options.Budget, options.Budget, host, cancellationToken)];
            }
            else if (concurrency == 1 && operation != baseline)
            {
                // At concurrency 1 each read is timed alternating with the baseline, which its ratio uses.
                var (alone, paired) = await driver.RunPairedAsync(operation, baseline, Operations.PairedBaseline(operation.Name), requests, options.ReadWarmUpTime, options.Budget, host, cancellationToken);
                measured = [alone, paired];
            }
            else
            {
                measured = [await driver.RunAsync(operation, concurrency, requests, int.MaxValue, options.ReadWarmUpTime, options.Budget, host, cancellationToken)];
            }

            foreach (var m in measured)
            {
                measurements.Add(m);
                Console.WriteLine(
                    $"   {m.Operation,-14} c={concurrency,-2} n={m.Requests,5} p50 {m.P50Ms,7:F2}  p95 {m.P95Ms,7:F2}  p99 {m.P99Ms,7:F2} ms"
                    + $"  {m.RequestsPerSecond,7:F0} req/s  peak {m.PeakResidentBytes / 1048576.0,5:F0} MiB"
                    + (m.Errors > 0 ? $"  ERRORS {m.Errors} (first: {m.FirstError})" : ""));
            }
        }

        var peak = Math.Max(startedPeak, measurements.Max(m => m.PeakResidentBytes));
        return new SizeResult(size, OtherUsers, othersEach, seeding.Elapsed, databaseBytes, firstPage.Length, seeded.FirstPageJson.Length, startedResident, peak, measurements);
    }

    /// <summary>Walks the list by cursor to the middle of the user's interviews and keeps the cursors of pages N/200..N/100.</summary>
    private static async Task<IReadOnlyList<string>> DeepCursorsAsync(HttpClient client, int size, CancellationToken cancellationToken)
    {
        var pages = Math.Max(1, size / 50);
        var from = Math.Max(1, pages / 4);
        var to = Math.Max(1, pages / 2);
        var cursors = new List<string>();
        string? cursor = null;
        for (var page = 1; page <= to; page++)
        {
            var path = cursor is null ? "api/interviews" : $"api/interviews?cursor={Uri.EscapeDataString(cursor)}";
            var json = JsonNode.Parse(await client.GetStringAsync(new Uri(path, UriKind.Relative), cancellationToken))!;
            cursor = json["nextCursor"]?.GetValue<string>();
            if (cursor is null)
            {
                break;
            }

            if (page >= from)
            {
                cursors.Add(cursor);
            }
        }

        return cursors;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Interviews.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from its place in the repository (Interviews.sln not found above it).");
    }
}

/// <summary>The measured operations, in the order they run: reads first (so writes never change what reads see), then writes.</summary>
internal static class Operations
{
    public const string Baseline = "baseline";

    /// <summary>The name of the baseline measured alternating with <paramref name="operation"/> at concurrency 1.</summary>
    public static string PairedBaseline(string operation) => $"baseline ~ {operation}";

    public static IReadOnlyList<Operation> For(SeededUser user, DateTimeOffset now, IReadOnlyList<string> deepCursors)
    {
        var from = now.AddDays(-365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = now.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var scheduled = 0;
        var rescheduled = 0;
        return
        [
            new(Baseline, "GET /bench/baseline: the first page's bytes, precomputed (no token, store or serializer)", false, _ => Get("bench/baseline")),
            new("list", "GET /api/interviews: first page, 50 items, no filter", false, _ => Get("api/interviews")),
            new("list-filtered", $"GET /api/interviews?status=Completed&dateFrom={from}&dateTo={to}", false, _ => Get($"api/interviews?status=Completed&dateFrom={from}&dateTo={to}")),
            new("list-deep", "GET /api/interviews?cursor=…: a page between 1/4 and 1/2 of the way through the user's interviews", false,
                i => Get($"api/interviews?cursor={Uri.EscapeDataString(deepCursors[i % deepCursors.Count])}")),
            new("upcoming", "GET /api/interviews/upcoming: open interviews in the next 30 days, first page", false, _ => Get("api/interviews/upcoming")),
            new("get", "GET /api/interviews/{id}: 1,000 ids of the user in turn", false, i => Get($"api/interviews/{user.SampleIds[i % user.SampleIds.Count]:D}")),
            new("schedule", "POST /api/interviews: a new interview", true, _ =>
            {
                var n = Interlocked.Increment(ref scheduled);
                return Send(HttpMethod.Post, "api/interviews", new JsonObject
                {
                    ["applicationId"] = Applications[n % Applications.Length].ToString("D"),
                    ["interviewType"] = "Technical",
                    ["scheduledAt"] = Instant(now.AddDays(2).AddMinutes(Spread(n, TwoYearsOfMinutes))),
                    ["duration"] = 60,
                    ["location"] = "https://zoom.us/j/5550001234",
                    ["interviewers"] = new JsonArray("Jane Smith", "Wei Chen"),
                    ["timezone"] = "Europe/London",
                });
            }, System.Net.HttpStatusCode.Created),
            new("reschedule", "PUT /api/interviews/{id}/reschedule: an open future interview moved to a new time", true, _ =>
            {
                var n = Interlocked.Increment(ref rescheduled);
                var id = user.OpenFutureIds[n % user.OpenFutureIds.Count];
                return Send(HttpMethod.Put, $"api/interviews/{id:D}/reschedule", new JsonObject
                {
                    ["newDateTime"] = Instant(now.AddDays(3).AddMinutes(Spread(n, TwoYearsOfMinutes / 2))),
                    ["reason"] = "The panel moved it",
                    ["initiatedBy"] = "Company",
                });
            }),
        ];
    }

    private const long TwoYearsOfMinutes = 2 * 365 * 24 * 60;

    /// <summary>The applications new interviews belong to: a user applies to a few dozen companies, not one per interview.</summary>
    private static readonly Guid[] Applications = [.. Enumerable.Range(1, 40).Select(i => new Guid(i, 7, 7, [7, 7, 7, 7, 7, 7, 7, 7]))];

    /// <summary>
    /// The n-th write's minute within <paramref name="range"/>, spread like the seeded interviews rather
    /// than packed: 7,919 (a prime) minutes apart, wrapping. Writes packed a few minutes apart put every
    /// later one among hundreds of open interviews of the same hours, so that they measured the conflict
    /// check of a calendar no candidate has (see README, "What the writes do").
    /// </summary>
    private static long Spread(int n, long range) => (long)n * 7_919 % range;

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, new Uri(path, UriKind.Relative));

    private static HttpRequestMessage Send(HttpMethod method, string path, JsonObject body) =>
        new(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The figures of one size.</summary>
internal sealed record SizeResult(
    int Size,
    int OtherUsers,
    int OtherUsersEach,
    TimeSpan SeedTime,
    long DatabaseBytes,
    long FirstPageBytes,
    long BaselineBytes,
    long ResidentAfterStart,
    long PeakResident,
    IReadOnlyList<Measurement> Measurements)
{
    public Measurement? Find(string operation, int concurrency) =>
        Measurements.FirstOrDefault(m => m.Operation == operation && m.Concurrency == concurrency);
}

/// <summary>Command-line options.</summary>
internal sealed record BenchmarkOptions(
    IReadOnlyList<int> Sizes,
    bool Quick,
    string? OutputDirectory,
    int ReadRequests,
    int WriteRequests,
    TimeSpan ReadWarmUpTime,
    int WriteWarmup,
    TimeSpan Budget,
    TimeSpan WarmUpTime,
    string CommandLine)
{
    /// <summary>Set: the run is on Cosmos DB (environment variable <c>COSMOS_CONNECTION_STRING</c>) and reports RU per request.</summary>
    public string? CosmosConnectionString { get; init; } = Environment.GetEnvironmentVariable("COSMOS_CONNECTION_STRING") is { Length: > 0 } value ? value : null;

    /// <summary><c>COSMOS_CONNECTION_MODE</c>: Direct (the default, as in production) or Gateway (the emulator).</summary>
    public ConnectionMode CosmosConnectionMode { get; init; } =
        Enum.TryParse<ConnectionMode>(Environment.GetEnvironmentVariable("COSMOS_CONNECTION_MODE"), ignoreCase: true, out var mode) ? mode : ConnectionMode.Direct;

    public const string Usage =
        "usage: dotnet run -c Release --project benchmarks/Interviews.Benchmarks -- [--sizes 1000,10000,100000] [--quick] [--out DIR] [--requests N] [--writes N]\n"
        + "  --sizes     interviews for the measured user, one run each (default 1000,10000,100000)\n"
        + "  --quick     a smoke run: 1,000 only, 300 reads and 100 writes per measurement, results in benchmarks/out/quick\n"
        + "  --out DIR   where results.md and p95-by-size.svg go (default: benchmarks/)\n"
        + "  --requests  reads per measurement at concurrency 1 (twice as many at 16; default 2000)\n"
        + "  --writes    writes per measurement at concurrency 1 (twice as many at 16; default 500)";

    public static BenchmarkOptions? Parse(string[] args)
    {
        int[]? sizes = null;
        var quick = false;
        string? output = null;
        int? reads = null, writes = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sizes" when i + 1 < args.Length:
                    var parts = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    sizes = [.. parts.Select(p => int.TryParse(p.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)];
                    if (sizes.Length == 0 || sizes.Any(n => n < 100))
                    {
                        return null;
                    }

                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--requests" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0:
                    reads = r;
                    i++;
                    break;
                case "--writes" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 0:
                    writes = w;
                    i++;
                    break;
                default:
                    return null;
            }
        }

        var command = "dotnet run -c Release --project benchmarks/Interviews.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
        return new BenchmarkOptions(
            sizes ?? (quick ? [1_000] : [1_000, 10_000, 100_000]),
            quick,
            output,
            reads ?? (quick ? 300 : 2_000),
            writes ?? (quick ? 100 : 500),
            TimeSpan.FromSeconds(quick ? 0.5 : 2),
            quick ? 20 : 50,
            TimeSpan.FromSeconds(quick ? 20 : 60),
            TimeSpan.FromSeconds(1),
            command);
    }
}

/// <summary>Runs an action when disposed (the Cosmos DB database of a size is dropped when the size is done).</summary>
internal sealed class AsyncCleanup(Func<Task> cleanup) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await cleanup();
}
