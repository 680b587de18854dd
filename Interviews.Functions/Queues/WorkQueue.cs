namespace Interviews.Functions.Queues;

/// <summary>
/// Where background work is handed to queue-triggered functions. A message is delivered at least once,
/// to one function invocation at a time, in no particular order: what a function does with it must be
/// idempotent and must not depend on the order of messages. In production the queues are Azure
/// Storage Queues (the Functions scale controller adds instances on their length); with no queue
/// connection configured they are the embedded queue in the SQLite file, run by LocalHost.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Adds <paramref name="messages"/> to <paramref name="queue"/>, each visible after <paramref name="visibleAfter"/>.</summary>
    Task SendAsync(string queue, IReadOnlyList<string> messages, TimeSpan visibleAfter, CancellationToken cancellationToken);
}

/// <summary>The queue connection every queue trigger names, and the limits every queue shares.</summary>
public static class WorkQueues
{
    /// <summary>
    /// The connection setting of every <c>[QueueTrigger]</c>: <c>WorkQueues</c> holds a storage
    /// connection string, or <c>WorkQueues__queueServiceUri</c> (with an optional
    /// <c>WorkQueues__clientId</c> of a user-assigned identity) names the queue service for a managed identity.
    /// </summary>
    public const string Connection = "WorkQueues";

    /// <summary>The suffix of the queue a message moves to after too many failed dequeues (the Functions host's naming).</summary>
    public const string PoisonSuffix = "-poison";

    /// <summary>
    /// The largest message body, in UTF-8 bytes: Azure Storage Queues take 64 KiB, and base64 (the
    /// Functions host's encoding) makes 48 KiB of that; a bigger payload is sent as a reference.
    /// </summary>
    public const int MaxMessageBytes = 45 * 1024;

    public static Task SendAsync(this IWorkQueue queue, string name, string message, CancellationToken cancellationToken) =>
        queue.SendAsync(name, [message], TimeSpan.Zero, cancellationToken);

    public static Task SendAsync(this IWorkQueue queue, string name, string message, TimeSpan visibleAfter, CancellationToken cancellationToken) =>
        queue.SendAsync(name, [message], visibleAfter, cancellationToken);

    /// <summary>A queue name Azure Storage accepts: 3–63 lowercase letters, digits and single hyphens, starting with a letter or digit.</summary>
    public static bool IsValidName(string name) =>
        name.Length is >= 3 and <= 63
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && !name.Contains("--", StringComparison.Ordinal);
}
