using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Interviews.Benchmarks;

/// <summary>What the figures were measured on: they are only comparable on the same machine and load.</summary>
internal sealed record MachineFacts(
    DateTimeOffset Date,
    int Processors,
    string Cpu,
    long MemoryBytes,
    string Os,
    string Runtime,
    string Sqlite,
    string Commit,
    string LoadAtStart,
    string LoadAtEnd,
    string Command)
{
    public string Summary =>
        $"{Date:yyyy-MM-dd HH:mm} UTC; {Processors} CPUs ({Cpu}); {MemoryBytes / 1073741824.0:F1} GiB; {Os}; {Runtime}; SQLite {Sqlite}; commit {Commit}; load {LoadAtStart}";

    public static MachineFacts Read(string repository, string command)
    {
        var load = LoadAverage();
        return new MachineFacts(
            DateTimeOffset.UtcNow,
            Environment.ProcessorCount,
            ProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            long.TryParse(ProcField("/proc/meminfo", "MemTotal")?.Split(' ')[0], CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            SqliteVersion(),
            Git(repository, "rev-parse --short HEAD") + (string.IsNullOrEmpty(Git(repository, "status --porcelain --untracked-files=no")) ? "" : " (with uncommitted changes)"),
            load,
            load,
            command);
    }

    /// <summary>The 1, 5 and 15 minute load averages: above the CPU count means other work competed with the run.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string? ProcField(string file, string name)
    {
        try
        {
            return File.ReadLines(file)
                .Where(l => l.StartsWith(name, StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static string Git(string repository, string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", $"-C \"{repository}\" {arguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (git is null)
            {
                return "unknown";
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
