using System.Diagnostics;
using System.Text.Json;

namespace Interviews.Tests.Support;

/// <summary>
/// Stoplight Prism (openapi/node_modules, installed by <c>npm ci --prefix openapi</c>) as a contract-validating
/// proxy on a free loopback port in front of a server: <c>prism proxy openapi/openapi.json UPSTREAM</c>. It forwards
/// every request and reports what breaks the document, in the request or in the answer, in the
/// <c>sl-violations</c> header of the answer. Stopped (with its process tree) when disposed.
/// </summary>
public sealed class ValidatingProxy : IAsyncDisposable
{
    private readonly Process _process;

    private ValidatingProxy(Process process, Uri address)
    {
        _process = process;
        Base = address;
    }

    /// <summary>Where the proxy listens; paths are the document's, without the server prefix.</summary>
    public Uri Base { get; }

    /// <summary>Starts Prism in front of <paramref name="upstream"/> (the server's URL with its route prefix), or skips the test with the reason.</summary>
    public static async Task<ValidatingProxy> StartAsync(Uri upstream, CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var cli = Path.Combine(root, "openapi", "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
        if (!File.Exists(cli))
        {
            Assert.Skip($"Prism is not installed ({cli} is missing): run `npm ci --prefix openapi` first.");
        }

        var port = Loopback.FreePort();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var argument in new[] { cli, "proxy", Path.Combine(root, "openapi", "openapi.json"), upstream.ToString().TrimEnd('/'), "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("Node.js is not installed: Prism, the validating proxy, needs it.");
            throw;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                if (log.Count < 200)
                {
                    log.Enqueue(line);
                }

                if (line.Contains("Prism is listening on", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && log.Count < 200)
            {
                log.Enqueue(line);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Prism exited before it listened:\n" + string.Join('\n', log)));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }

        return new ValidatingProxy(process, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>The proxy's URL for <paramref name="direct"/>, a URL of the server under <paramref name="serverPrefix"/>.</summary>
    public Uri Address(Uri direct, string serverPrefix) => new(Base, direct.PathAndQuery[serverPrefix.Length..].TrimStart('/'));

    /// <summary>What the proxy found wrong with a request and its answer (nothing when the header is absent).</summary>
    public static IReadOnlyList<Violation> Violations(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("sl-violations", out var values))
        {
            return [];
        }

        using var json = JsonDocument.Parse(string.Join("", values));
        return [.. json.RootElement.EnumerateArray().Select(v => new Violation(
            string.Join('.', v.GetProperty("location").EnumerateArray().Select(l => l.GetString())),
            v.GetProperty("severity").GetString()!,
            v.GetProperty("message").GetString()!))];
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
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

        throw new InvalidOperationException("The repository root (with Interviews.sln) is not above the test output.");
    }

    /// <summary>One violation: where (<c>request.query.status</c>, <c>response.body</c>…), how bad, and what.</summary>
    public sealed record Violation(string Location, string Severity, string Message)
    {
        public bool OnRequest => Location == "request" || Location.StartsWith("request.", StringComparison.Ordinal);

        public override string ToString() => $"{Location} ({Severity}): {Message}";
    }
}
