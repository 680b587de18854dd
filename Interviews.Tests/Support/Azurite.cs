using System.Diagnostics;
using System.Text.RegularExpressions;
using Interviews.Tests.Calendar;

namespace Interviews.Tests.Support;

/// <summary>
/// Azurite (npm, installed in Calendar/node) on 127.0.0.1, its blob, queue and table services on free
/// ports, in memory. Without Node.js or the package the calling test is skipped with the reason.
/// </summary>
public sealed partial class Azurite : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _workingDirectory;

    private Azurite(Process process, string workingDirectory, IReadOnlyDictionary<string, int> ports)
    {
        _process = process;
        _workingDirectory = workingDirectory;
        BlobPort = ports["Blob"];
        QueuePort = ports["Queue"];
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    /// <summary>A connection string to the blob and queue services (the form AzureWebJobsStorage and the SDKs take).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;";

    /// <summary>Why Azurite cannot run here, or null; installs its npm packages (Calendar/node) the first time.</summary>
    public static async Task<string?> UnavailableAsync() => (await NodeTools.EnsureAsync()).SkipReason;

    private static string MainScript => Path.Combine(NodeTools.Directory, "node_modules", "azurite", "dist", "src", "azurite.js");

    public static async Task<Azurite> StartAsync()
    {
        if (await UnavailableAsync() is { } reason)
        {
            Assert.Skip(reason);
        }

        var workingDirectory = Directory.CreateTempSubdirectory("azurite-").FullName;
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            MainScript, "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0", "--tableHost", "127.0.0.1", "--tablePort", "0",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var ports = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Listening().Match(line) is { Success: true } match)
            {
                lock (ports)
                {
                    ports[match.Groups[1].Value] = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (ports.ContainsKey("Blob") && ports.ContainsKey("Queue") && ports.ContainsKey("Table"))
                    {
                        ready.TrySetResult();
                    }
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Azurite(process, workingDirectory, ports);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}
