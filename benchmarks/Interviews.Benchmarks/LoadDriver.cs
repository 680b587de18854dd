using System.Diagnostics;
using System.Net;

namespace Interviews.Benchmarks;

/// <summary>One operation to measure: how to build its i-th request and which status is a success.</summary>
internal sealed record Operation(string Name, string Description, bool IsWrite, Func<int, HttpRequestMessage> Request, HttpStatusCode Expected = HttpStatusCode.OK);

/// <summary>The figures of one operation at one concurrency.</summary>
internal sealed record Measurement(
    string Operation,
    int Concurrency,
    int Requests,
    int Errors,
    string? FirstError,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double RequestsPerSecond,
    long ResponseBytes,
    long PeakResidentBytes,
    double? RequestUnits = null);

/// <summary>
/// Sends an operation's requests from <c>concurrency</c> workers over one keep-alive connection pool,
/// timing each request with a <see cref="Stopwatch"/> from send to the last byte of the body. A warm-up
/// round is sent and discarded first. Bounded in count and in time.
/// </summary>
internal sealed class LoadDriver(HttpClient client)
{
    public async Task<Measurement> RunAsync(
        Operation operation, int concurrency, int requests, int warmupRequests, TimeSpan warmupTime, TimeSpan budget, LocalHostProcess host, CancellationToken cancellationToken)
    {
        // Warm up at the same concurrency right before measuring: the runtime adapts (thread pool, GC
        // heap sizing) to each load, and the operation measured first after the much lighter baseline
        // otherwise paid for the change.
        await SendAllAsync(operation, concurrency, 0, warmupRequests, warmupTime, null, cancellationToken);

        host.ResetPeak();
        var latencies = new double[requests];
        var outcome = new Outcome();
        var wall = Stopwatch.StartNew();
        var done = await SendAllAsync(operation, concurrency, 0, requests, budget, (index, ms, status, bytes, charge) =>
        {
            latencies[index] = ms;
            outcome.Record(status, operation.Expected, bytes, charge);
        }, cancellationToken);
        wall.Stop();

        var measured = latencies.AsSpan(0, done).ToArray();
        Array.Sort(measured);
        return new Measurement(
            operation.Name,
            concurrency,
            done,
            outcome.Errors,
            outcome.FirstError,
            Percentile(measured, 0.50),
            Percentile(measured, 0.95),
            Percentile(measured, 0.99),
            measured.Length == 0 ? 0 : measured[^1],
            done / wall.Elapsed.TotalSeconds,
            outcome.LastBytes,
            host.PeakResidentBytes(),
            outcome.MeanCharge);
    }

    /// <summary>
    /// At concurrency 1, the operation's requests alternate with the companion's (the baseline) in blocks
    /// of <see cref="PairBlock"/>, so that both are timed in the same moments of a shared machine:
    /// measured one after the other, a burst of other work during either window moved their ratio by
    /// half (1.8 to 3.6 between full runs). Blocks, not single requests: alternating one by one slowed
    /// the baseline (p95 0.05 → 0.08 ms at N = 1,000, each baseline request finding caches the list had
    /// just used), which flattered the ratio. req/s is each one's own (requests over their time).
    /// </summary>
    public async Task<(Measurement Operation, Measurement Companion)> RunPairedAsync(
        Operation operation, Operation companion, string companionName, int requests, TimeSpan warmupTime, TimeSpan budget, LocalHostProcess host, CancellationToken cancellationToken)
    {
        var pair = new Operation($"{operation.Name} + {companion.Name}", "", false, i => Side(i) == 0 ? operation.Request(Within(i)) : companion.Request(Within(i)));
        await SendAllAsync(pair, 1, 0, int.MaxValue, warmupTime, null, cancellationToken);

        host.ResetPeak();
        double[][] latencies = [new double[requests], new double[requests]];
        Outcome[] outcomes = [new(), new()];
        HttpStatusCode[] expected = [operation.Expected, companion.Expected];
        var counts = new int[2];
        var done = await SendAllAsync(pair, 1, 0, 2 * requests, budget, (index, ms, status, bytes, charge) =>
        {
            latencies[Side(index)][Within(index)] = ms;
            counts[Side(index)]++;
            outcomes[Side(index)].Record(status, expected[Side(index)], bytes, charge);
        }, cancellationToken);
        var peak = host.PeakResidentBytes();

        Measurement Of(int side, string name)
        {
            var count = counts[side];
            var measured = latencies[side].AsSpan(0, count).ToArray();
            Array.Sort(measured);
            return new Measurement(
                name,
                1,
                count,
                outcomes[side].Errors,
                outcomes[side].FirstError,
                Percentile(measured, 0.50),
                Percentile(measured, 0.95),
                Percentile(measured, 0.99),
                measured.Length == 0 ? 0 : measured[^1],
                measured.Length == 0 ? 0 : count / (measured.Sum() / 1000),
                outcomes[side].LastBytes,
                peak,
                outcomes[side].MeanCharge);
        }

        return (Of(0, operation.Name), Of(1, companionName));
    }

    /// <summary>Requests of one side in a row, in <see cref="RunPairedAsync"/>.</summary>
    public const int PairBlock = 50;

    private static int Side(int index) => index / PairBlock % 2;

    private static int Within(int index) => (index / (2 * PairBlock) * PairBlock) + (index % PairBlock);

    /// <summary>Sends up to <paramref name="maxRequests"/> unmeasured requests for at most <paramref name="duration"/>.</summary>
    public Task WarmUpAsync(Operation operation, int concurrency, int maxRequests, TimeSpan duration, CancellationToken cancellationToken) =>
        SendAllAsync(operation, concurrency, 0, maxRequests, duration, null, cancellationToken);

    /// <summary>Sends requests number <paramref name="first"/>.. of the operation; returns how many finished within the budget.</summary>
    private async Task<int> SendAllAsync(
        Operation operation,
        int concurrency,
        int first,
        int count,
        TimeSpan budget,
        Action<int, double, HttpStatusCode, long, double?>? record,
        CancellationToken cancellationToken)
    {
        var next = -1;
        var finished = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < budget)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count)
                {
                    return;
                }

                using var request = operation.Request(first + index);
                var started = Stopwatch.GetTimestamp();
                HttpStatusCode status;
                long length;
                double? charge = null;
                try
                {
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    (status, length) = (response.StatusCode, body.Length);
                    // LocalHost on Cosmos DB in benchmark mode: the request units the request spent.
                    if (response.Headers.TryGetValues("x-request-charge", out var values)
                        && double.TryParse(values.First(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var units))
                    {
                        charge = units;
                    }
                }
                catch (HttpRequestException)
                {
                    // A refused or broken connection counts as an error of this request, not the end of the run.
                    (status, length) = (0, 0);
                }

                record?.Invoke(index, Stopwatch.GetElapsedTime(started).TotalMilliseconds, status, length, charge);
                Interlocked.Increment(ref finished);
            }
        }).ToArray();
        await Task.WhenAll(workers);

        // A worker that started a request finishes it, so the finished requests are numbered 0..finished-1.
        return finished;
    }

    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        // Nearest rank: the smallest value with at least p of the samples at or below it.
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private sealed class Outcome
    {
        private int _errors;

        public int Errors => _errors;

        public string? FirstError { get; private set; }

        private double _charge;
        private int _charged;

        public long LastBytes { get; private set; }

        /// <summary>The mean request units per request, when the responses told them (null: none did).</summary>
        public double? MeanCharge => _charged == 0 ? null : _charge / _charged;

        public void Record(HttpStatusCode status, HttpStatusCode expected, long bytes, double? charge)
        {
            LastBytes = bytes;
            if (charge is { } units)
            {
                lock (this)
                {
                    _charge += units;
                    _charged++;
                }
            }

            if (status != expected)
            {
                if (Interlocked.Increment(ref _errors) == 1)
                {
                    FirstError = $"{(int)status} {status}";
                }
            }
        }
    }
}
