using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Interviews.Benchmarks;

/// <summary>
/// Interviews.LocalHost (its Release build, hosted by this program's serve mode, <see cref="BaselineHost"/>)
/// as a separate process on a free loopback port, over a given SQLite file, with the baseline endpoint. Its memory is read from /proc, so the client's
/// own work is never counted in it.
/// </summary>
internal sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private LocalHostProcess(Process process, StreamWriter log, Uri baseAddress)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    /// <param name="storeEnvironment">Settings as environment variables (Cosmos DB: a connection string stays out of the process list).</param>
    /// <param name="port">The loopback port to listen on; null: a free one.</param>
    public static async Task<LocalHostProcess> StartAsync(
        string localHostDll, string databasePath, string baselineFile, string logPath, IReadOnlyDictionary<string, string> storeEnvironment, int? port, CancellationToken cancellationToken)
    {
        port ??= FreePort();
        var url = $"http://127.0.0.1:{port.Value.ToString(CultureInfo.InvariantCulture)}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(databasePath)!,
        };
        foreach (var argument in new[]
                 {
                     localHostDll, BaselineHost.Command, $"{BaselineHost.BaselineFileArgument}={baselineFile}", "--urls", url,
                     $"--Storage:SqlitePath={databasePath}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in storeEnvironment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start LocalHost.");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new LocalHostProcess(process, log, new Uri(url + "/"));
        try
        {
            await host.WaitUntilHealthyAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>The process's peak resident set size since start, or since the last <see cref="ResetPeak"/> (VmHWM), in bytes.</summary>
    public long PeakResidentBytes() => StatusField("VmHWM:");

    /// <summary>The resident set size now (VmRSS), in bytes.</summary>
    public long ResidentBytes() => StatusField("VmRSS:");

    /// <summary>Resets VmHWM to the current RSS (Linux: <c>echo 5 &gt; /proc/PID/clear_refs</c>); false where that is not allowed.</summary>
    public bool ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{Id.ToString(CultureInfo.InvariantCulture)}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"LocalHost exited with code {_process.ExitCode} before it was ready; see its log.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("api/health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException("LocalHost did not answer /api/health within 90 s.");
    }

    /// <summary>A size field of /proc/PID/status in bytes; 0 where there is no /proc (not Linux).</summary>
    private long StatusField(string name)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Id.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    var kilobytes = line[name.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
