using System.Globalization;
using Interviews.Functions.Events;

namespace Interviews.LocalHost;

/// <summary>
/// <c>dead-letters list</c> and <c>dead-letters replay ID</c>: the operator's view of parked events, on
/// the store the settings select (the embedded file, or Cosmos DB with <c>--Cosmos:AccountEndpoint=…</c>).
/// </summary>
public static class DeadLettersCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not (["list", ..] or ["replay", _, ..]))
        {
            await error.WriteLineAsync("usage: dead-letters list | dead-letters replay ID  [--Setting=value …]");
            return 2;
        }

        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Append("--LocalHost:RunTimers=false").ToArray();
        await using var app = Program.BuildApp(settings);
        var deadLetters = app.Services.GetRequiredService<DeadLetters>();
        if (args[0] == "list")
        {
            foreach (var (id, letter) in await deadLetters.ListAsync(200, CancellationToken.None))
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{id}\t{letter.Type}\tinterview {letter.InterviewId}\tparked {letter.ParkedAt:O} after {letter.Attempts} attempts\t{(letter.ReplayedAt is { } r ? $"replayed {r:O}" : "not replayed")}\t{letter.Error}"));
            }

            return 0;
        }

        var replayed = await deadLetters.ReplayAsync(args[1], app.Services.GetRequiredService<IEnumerable<IEventHandler>>(), CancellationToken.None);
        await (replayed ? output.WriteLineAsync($"replayed {args[1]}") : error.WriteLineAsync($"no dead letter {args[1]}"));
        return replayed ? 0 : 1;
    }
}
