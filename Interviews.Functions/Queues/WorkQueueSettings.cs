using Interviews.Functions.Settings;

namespace Interviews.Functions.Queues;

/// <summary>
/// The work queues' connection (setting <c>WorkQueues</c>, the connection of every queue trigger): a
/// storage connection string as the setting's own value, or <c>WorkQueues:queueServiceUri</c> (and
/// <c>WorkQueues:clientId</c>) for a managed identity. With neither, work goes to the embedded queue.
/// </summary>
public sealed class WorkQueueSettings : ICheckedSettings
{
    public const string Section = WorkQueues.Connection;

    /// <summary>The setting's own value: a connection string (bound separately: a section's value is not one of its keys).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The queue service for a managed identity, e.g. <c>https://account.queue.core.windows.net</c>.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ClientId { get; set; }

    /// <summary>Whether Azure Storage Queues carry the work (else the embedded queue does).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || QueueServiceUri is not null;

    public IEnumerable<string> Problems()
    {
        if (QueueServiceUri is { } uri && (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)))
        {
            yield return $"Setting {Section}:queueServiceUri must be an absolute https URL of a queue service.";
        }
    }

    /// <summary>The deployed app's check: its queue triggers listen on Azure Storage Queues, so work must go there.</summary>
    public static IEnumerable<string> RequiredForDeployedApp(WorkQueueSettings settings)
    {
        if (!settings.IsConfigured)
        {
            yield return $"Setting {Section} (a storage connection string) or {Section}__queueServiceUri is required: the Functions app's background work runs from its queues.";
        }
    }
}
