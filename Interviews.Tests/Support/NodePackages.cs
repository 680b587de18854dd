using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace Interviews.Tests.Support;

/// <summary>
/// The pinned npm packages some tests run (the Cosmos-protocol compat server, ical.js, Azurite), each set
/// in a folder of the tests with its package-lock.json. A test asks for them; they are installed with
/// <c>npm ci</c> the first time (once per folder, whoever asks first), so that <c>dotnet test</c> on a
/// fresh clone runs these tests too. Without Node.js the test is skipped with the reason; a failing
/// install fails it with npm's output.
/// </summary>
public static class NodePackages
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string?>>> Installs = new(StringComparer.Ordinal);

    /// <summary>The repository's folder, found upwards from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Installs the packages of <paramref name="folder"/> (relative to the repository) unless <paramref name="marker"/> exists there; skips the calling test without Node.js.</summary>
    public static async Task<string> RequireAsync(string folder, string marker)
    {
        var (directory, skip) = await EnsureAsync(folder, marker);
        if (skip is not null)
        {
            Assert.Skip(skip);
        }

        return directory;
    }

    /// <summary>As <see cref="RequireAsync"/>, for a fixture: the folder, and why the packages cannot run here (null: they can).</summary>
    public static async Task<(string Directory, string? SkipReason)> EnsureAsync(string folder, string marker)
    {
        var directory = Path.Combine(RepositoryRoot, folder);
        return (directory, await Installs.GetOrAdd(directory, d => new Lazy<Task<string?>>(() => InstallAsync(d, marker))).Value);
    }

    /// <summary>Null when the packages are there; otherwise why the tests that need them cannot run.</summary>
    private static async Task<string?> InstallAsync(string directory, string marker)
    {
        if (!await SucceedsAsync("node", ["--version"], directory))
        {
            return $"Node.js (node) is not installed or not on PATH: the tests that need {Path.GetFileName(directory)}'s npm packages cannot run.";
        }

        if (Directory.Exists(Path.Combine(directory, "node_modules", marker)) || File.Exists(Path.Combine(directory, "node_modules", marker)))
        {
            return null;
        }

        try
        {
            var (exitCode, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], directory, TimeSpan.FromMinutes(5));
            return exitCode == 0
                ? null
                : throw new InvalidOperationException($"npm ci in {directory} failed with exit code {exitCode}:\n{output}");
        }
        catch (Win32Exception)
        {
            return $"npm is not installed or not on PATH, and the packages of {directory} are missing.";
        }
    }

    private static async Task<bool> SucceedsAsync(string file, string[] arguments, string directory)
    {
        try
        {
            return (await RunAsync(file, arguments, directory, TimeSpan.FromSeconds(20))).ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output + await error);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Interviews.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Interviews.sln) was not found above the test binaries.");
    }
}
