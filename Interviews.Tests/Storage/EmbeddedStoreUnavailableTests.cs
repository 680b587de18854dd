using System.Diagnostics;
using System.Net;
using Interviews.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Storage;

/// <summary>
/// The embedded store's file cannot be written for now: its disk is full (a real small volume), or
/// another process holds its write lock. Either is the store being unavailable: a 503 problem+json with
/// Retry-After within the write timeout, one log line without a stack trace, health that says so, and
/// writes that succeed again as soon as the cause is gone — with nothing acknowledged lost.
/// </summary>
public sealed class EmbeddedStoreUnavailableTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_disk_is_a_503_with_retry_after_health_says_so_and_writes_succeed_once_space_is_freed()
    {
        using var folder = new TestFolder();
        using var volume = SmallVolume.Mount(folder.File("volume"), megabytes: 4);
        using var factory = LocalHostFactory.OnDatabase(Path.Combine(volume.Path, "interviews.db"), new Dictionary<string, string?>(), services => services.AddFakeLogging());
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var acknowledged = new List<string> { (await client.ScheduleAsync(factory)).Id };
        await AssertHealthAsync(factory, client, HttpStatusCode.OK);

        // Fill the volume to its last byte.
        var filler = Path.Combine(volume.Path, "filler");
        FillUntilFull(filler);

        var unavailable = 0;
        for (var attempt = 0; attempt < 200 && unavailable == 0; attempt++)
        {
            var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(3 + attempt)).ToJsonString());
            if (response.StatusCode == HttpStatusCode.Created)
            {
                // The WAL had room for a few more commits.
                acknowledged.Add((await response.JsonAsync())["id"]!.GetValue<string>());
                continue;
            }

            var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("store-unavailable", problem["code"]!.GetValue<string>());
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "A 503 says when to come back.");
            unavailable++;
        }

        Assert.Equal(1, unavailable);
        await AssertHealthAsync(factory, client, HttpStatusCode.ServiceUnavailable);
        var warnings = factory.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Message.Contains("the store is unavailable", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, r => Assert.Null(r.Exception));
        Assert.All(warnings, r => Assert.Equal(LogLevel.Warning, r.Level));

        File.Delete(filler);

        // The very next write succeeds, and so does health.
        acknowledged.Add((await client.ScheduleAsync(factory, 30)).Id);
        await AssertHealthAsync(factory, client, HttpStatusCode.OK);
        var listed = (await (await client.GetPathAsync("/api/interviews?limit=200")).JsonAsync())["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>());
        Assert.Equal(acknowledged.Order(), listed.Order());
    }

    [Fact]
    public async Task A_write_lock_held_by_another_process_is_a_503_within_the_write_timeout_for_every_queued_write()
    {
        using var folder = new TestFolder();
        using var factory = LocalHostFactory.OnDatabase(folder.Database(), new Dictionary<string, string?> { ["Storage:SqliteWriteTimeout"] = "00:00:01" });
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);

        using (await ForeignLock.HoldAsync(factory.DatabasePath))
        {
            // Five writers at once: none waits longer than its turn plus the lock's timeout.
            var writes = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
                client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(4 + i)).ToJsonString())));
            foreach (var response in writes)
            {
                var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
                Assert.Equal("store-unavailable", problem["code"]!.GetValue<string>());
                Assert.NotNull(response.Headers.RetryAfter);
            }

            // Reads go on: the lock keeps writers out, not readers.
            Assert.Equal(HttpStatusCode.OK, (await client.GetPathAsync($"/api/interviews/{id}")).StatusCode);
            await AssertHealthAsync(factory, client, HttpStatusCode.ServiceUnavailable);
        }

        await client.ScheduleAsync(factory, 10);
        await AssertHealthAsync(factory, client, HttpStatusCode.OK);
        Assert.Equal(2, (await (await client.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_embedded_store_counts_a_lock_held_by_another_process_past_its_write_timeout_as_unavailable()
    {
        using var folder = new TestFolder();
        var container = new Interviews.Functions.Storage.SqliteDocumentContainer(folder.Database(), [], TimeProvider.System, writeTimeout: TimeSpan.FromSeconds(1));
        Assert.True((await container.WriteAsync("p", [Interviews.Functions.Storage.DocumentWrite.Create("a", "thing", "{}")], Token)).IsSuccess);

        using (await ForeignLock.HoldAsync(folder.Database()))
        {
            var error = await Assert.ThrowsAsync<Interviews.Functions.Storage.StoreUnavailableException>(
                () => container.WriteAsync("p", [Interviews.Functions.Storage.DocumentWrite.Create("b", "thing", "{}")], Token));
            Assert.Contains("locked by another writer", error.Message, StringComparison.Ordinal);
            Assert.NotNull(error.RetryAfter);
            Assert.NotNull(await container.ReadAsync("p", "a", Token));
        }

        Assert.True((await container.WriteAsync("p", [Interviews.Functions.Storage.DocumentWrite.Create("b", "thing", "{}")], Token)).IsSuccess);
    }

    /// <summary>Health probes with a write; one probe answers for a second (on the factory's clock), so the clock moves first.</summary>
    private static async Task AssertHealthAsync(LocalHostFactory factory, HttpClient client, HttpStatusCode expected)
    {
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        var response = await client.GetPathAsync("/api/health");
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? "Reachable" : "Unreachable", (await response.JsonAsync())["store"]!.GetValue<string>());
    }

    private static void FillUntilFull(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            // Full; now the last bytes, one at a time.
        }

        try
        {
            while (true)
            {
                file.WriteByte(0);
            }
        }
        catch (IOException)
        {
            // Not a byte left.
        }
    }

    /// <summary>A real small file system (tmpfs) mounted on a test folder, unmounted on dispose; skips the test where mounting is not allowed.</summary>
    private sealed class SmallVolume : IDisposable
    {
        private SmallVolume(string path) => Path = path;

        public string Path { get; }

        public static SmallVolume Mount(string path, int megabytes)
        {
            Directory.CreateDirectory(path);
            var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path);
            if (exitCode != 0)
            {
                Assert.Skip($"A small volume is needed to fill a disk for real, and this machine does not let the tests mount one (mount -t tmpfs: {output.Trim()}). The test runs as root on Linux.");
            }

            return new SmallVolume(path);
        }

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Run("umount", "--lazy", Path);
        }

        private static (int ExitCode, string Output) Run(string file, params string[] arguments)
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                return (process.ExitCode, output);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (-1, e.Message);
            }
        }
    }

    /// <summary>Another process (Python's sqlite3) holding the file's write lock until disposed; skips the test without python3.</summary>
    private sealed class ForeignLock : IDisposable
    {
        private const string Script = """
            import sqlite3, sys
            connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
            connection.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            sys.stdin.read()
            connection.execute("ROLLBACK")
            """;

        private readonly Process _process;

        private ForeignLock(Process process) => _process = process;

        public static async Task<ForeignLock> HoldAsync(string database)
        {
            Process process;
            try
            {
                process = Process.Start(new ProcessStartInfo("python3", ["-c", Script, database]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Skip("python3 is not installed: its sqlite3 module is the other process that holds the lock.");
                throw;
            }

            var line = await process.StandardOutput.ReadLineAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Token);
            if (line != "locked")
            {
                // Its error output is complete only once it has exited.
                Assert.Fail($"The other process did not take the lock: {await process.StandardError.ReadToEndAsync(Token)}");
            }

            return new ForeignLock(process);
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
