using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Queues;

/// <summary>
/// The work queues on Azure Storage Queues, which the Functions host's queue triggers read. Messages are
/// base64-encoded, the host's default encoding, and never expire (the default of seven days would drop
/// work that waits out a long outage). A queue is created on its first use by this process. A storage
/// service that cannot take the message (5xx, a network failure) is
/// <see cref="StoreUnavailableException"/>, like an unavailable store: the caller's work is retried.
/// </summary>
public sealed class StorageWorkQueue(QueueServiceClient service) : IWorkQueue
{
    /// <summary>How many messages of one call are sent at the same time (Azure Storage Queues add one message per request).</summary>
    private const int ParallelSends = 16;

    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new(StringComparer.Ordinal);

    public static QueueClientOptions ClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public async Task SendAsync(string queue, IReadOnlyList<string> messages, TimeSpan visibleAfter, CancellationToken cancellationToken)
    {
        try
        {
            var client = await QueueAsync(queue);
            TimeSpan? visibility = visibleAfter > TimeSpan.Zero ? visibleAfter : null;
            await Parallel.ForEachAsync(
                messages,
                new ParallelOptions { MaxDegreeOfParallelism = ParallelSends, CancellationToken = cancellationToken },
                async (message, token) => await client.SendMessageAsync(message, visibility, TimeSpan.FromSeconds(-1), token));
        }
        catch (RequestFailedException e) when (e.Status is 0 or >= 500 or 408 or 429)
        {
            throw new StoreUnavailableException($"The work queue '{queue}' could not take the message ({e.Status}).", TimeSpan.FromSeconds(5), e);
        }
    }

    private async Task<QueueClient> QueueAsync(string name)
    {
        var creating = _queues.GetOrAdd(name, key => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = service.GetQueueClient(key);
            await client.CreateIfNotExistsAsync();
            return client;
        }));
        try
        {
            return await creating.Value;
        }
        catch
        {
            // A failed creation (the service unavailable for a moment) is not remembered: the next send tries again.
            _queues.TryRemove(new KeyValuePair<string, Lazy<Task<QueueClient>>>(name, creating));
            throw;
        }
    }
}
