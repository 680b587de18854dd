using System.Globalization;
using System.Text;

namespace Interviews.Benchmarks.Load;

/// <summary>What every scenario needs: the options, LocalHost's build, where to work and where to write.</summary>
internal sealed record LoadContext(LoadOptions Options, string LocalHostDll, string Repository, string WorkRoot, string OutFile, MachineFacts Machine)
{
    /// <summary>A fresh data folder for one service run.</summary>
    public string DataFolder(string name) => Path.Combine(WorkRoot, name);

    /// <summary>A chart's file beside the results file, named by the run's start.</summary>
    public string ChartPath(string name) =>
        Path.Combine(Path.GetDirectoryName(OutFile)!, $"{Path.GetFileNameWithoutExtension(OutFile)}-{name}-{Machine.Date:yyyyMMdd-HHmm}.svg");
}

/// <summary>
/// <c>… -- load [all|calendar|inbound|reminders] [options]</c>: the background-work load benchmark. Each
/// scenario starts its own fake providers, SMTP sink and LocalHost process, drives the service over HTTP
/// only, prints a table and appends a markdown section (and a chart) to the results file.
/// </summary>
internal static class LoadProgram
{
    public const string Command = "load";

    public static async Task<int> RunAsync(string[] args, string repository, string localHostDll)
    {
        if (LoadOptions.Parse(args) is not { } options)
        {
            await Console.Error.WriteLineAsync(LoadOptions.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var outFile = Path.GetFullPath(options.Out ?? Path.Combine(repository, "benchmarks", options.Quick ? Path.Combine("out", "load-quick.md") : "load-results.md"));
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
        var machine = MachineFacts.Read(repository, options.CommandLine);
        var work = Path.Combine(repository, "benchmarks", "out", "load", machine.Date.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var context = new LoadContext(options, localHostDll, repository, work, outFile, machine);
        Console.WriteLine(machine.Summary);
        Console.WriteLine($"Results: {outFile}; work folder {work}");

        var scenarios = options.Scenario == "all" ? ["calendar", "failing", "inbound", "reminders"] : options.Scenario == "calendar" && options.Failing is not null ? ["failing"] : new[] { options.Scenario };
        foreach (var scenario in scenarios)
        {
            var started = MachineFacts.LoadAverage();
            var section = scenario switch
            {
                "calendar" => await CalendarScenario.RunAsync(context, failing: null, cancel.Token),
                "failing" => await CalendarScenario.RunAsync(context, failing: options.Failing ?? 0.1, cancel.Token),
                "inbound" => await InboundScenario.RunAsync(context, cancel.Token),
                _ => await ReminderScenario.RunAsync(context, cancel.Token),
            };
            Append(context, section, started, MachineFacts.LoadAverage());
            Console.WriteLine(section);
        }

        Console.WriteLine($"Appended to {outFile}");
        return 0;
    }

    private static void Append(LoadContext context, string section, string loadAtStart, string loadAtEnd)
    {
        var m = context.Machine;
        var md = new StringBuilder();
        md.AppendLine();
        md.AppendLine(section.TrimEnd());
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"<sub>{m.Date:yyyy-MM-dd HH:mm} UTC, commit {m.Commit}, {m.Processors} CPUs ({m.Cpu}), {m.Runtime}; load average {loadAtStart} at the start, {loadAtEnd} at the end (other builds share the machine); `{context.Options.CommandLine}`</sub>");
        File.AppendAllText(context.OutFile, md.ToString());
    }
}
