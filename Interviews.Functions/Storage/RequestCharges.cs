using System.Runtime.CompilerServices;

namespace Interviews.Functions.Storage;

/// <summary>
/// The Cosmos DB request units spent in the current flow of work (one HTTP request), for whoever opened
/// a count with <see cref="Begin"/>: <see cref="CosmosDocumentContainer"/> adds every response's charge.
/// Nothing is counted where no count was begun. LocalHost's request-charge header reports the sum per request
/// (its request units per operation); the metric <c>interviews.cosmos.request_charge</c> records every charge
/// regardless.
/// </summary>
public static class RequestCharges
{
    private static readonly AsyncLocal<StrongBox<double>?> Current = new();

    /// <summary>Starts a count for this flow and the work it awaits; read <see cref="StrongBox{T}.Value"/> when it is done.</summary>
    public static StrongBox<double> Begin()
    {
        var total = new StrongBox<double>();
        Current.Value = total;
        return total;
    }

    internal static void Add(double charge)
    {
        if (Current.Value is { } total)
        {
            // Parallel awaits of one request may add at once.
            lock (total)
            {
                total.Value += charge;
            }
        }
    }
}
