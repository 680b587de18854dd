using Interviews.Functions.Events;
using Interviews.Functions.Settings;
using Interviews.Functions.Privacy;
using Azure.Identity;
using Azure.Storage.Blobs;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Interviews.Functions.Calendar;

/// <summary>Data Protection settings (section <c>DataProtection</c>): where the key ring lives.</summary>
public sealed class DataProtectionSettings : ICheckedSettings
{
    public const string Section = "DataProtection";

    /// <summary>The key ring blob's URL (<c>https://account.blob.core.windows.net/dataprotection/keys.xml</c>), reached with the managed identity.</summary>
    public string? BlobUri { get; set; }

    /// <summary>A storage connection string (Azurite, or an account key) instead of <see cref="BlobUri"/>.</summary>
    public string? BlobConnectionString { get; set; }

    public string BlobContainer { get; set; } = "dataprotection";

    public string BlobName { get; set; } = "keys.xml";

    /// <summary>A folder for the key ring when no blob is configured; default: <c>keys</c> beside the SQLite file (LocalHost: <c>.data/keys</c>).</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>
    /// A Key Vault RSA key URI (<c>https://kv-x.vault.azure.net/keys/dataprotection</c>, versionless or not):
    /// when set, each key in the ring is encrypted with a data key that this key wraps.
    /// </summary>
    public string? KeyVaultKeyId { get; set; }

    public bool UsesKeyVault => !string.IsNullOrWhiteSpace(KeyVaultKeyId);

    public IEnumerable<string> Problems()
    {
        if (UsesKeyVault && !(Uri.TryCreate(KeyVaultKeyId, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath.StartsWith("/keys/", StringComparison.OrdinalIgnoreCase)))
        {
            yield return $"Setting {Section}:KeyVaultKeyId must be the https URI of a Key Vault key, e.g. https://kv-x.vault.azure.net/keys/dataprotection.";
        }
    }
}

/// <summary>The calendar feature's services: Data Protection for the tokens, the OAuth and provider clients, sync, reconcile.</summary>
public static class CalendarFeature
{
    public static IServiceCollection AddCalendarFeature(this IServiceCollection services)
    {
        services.AddSettings<CalendarSettings>(CalendarSettings.Section);
        services.AddSettings<DataProtectionSettings>(DataProtectionSettings.Section);

        // A user's export and erasure include their calendar connections and feed.
        services.AddSingleton<IUserDataExporter, CalendarExporter>();
        services.AddSingleton<IUserDataEraser, CalendarEraser>();

        // Tokens are encrypted at rest with Data Protection; its key ring must be shared by every instance.
        services.AddDataProtection().SetApplicationName("Interviews");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            var settings = sp.GetRequiredService<DataProtectionSettings>();
            options.XmlRepository = KeyRing(settings, sp.GetRequiredService<StorageSettings>(), sp.GetRequiredService<IConfiguration>());
            if (settings.UsesKeyVault)
            {
                options.XmlEncryptor = new KeyVaultXmlEncryptor(sp.GetRequiredService<KeyVaultKeyWrapper>());
            }
        }));

        // Key Vault wraps the ring's keys (REST, no SDK); KeyVaultXmlDecryptor resolves the wrapper to unwrap.
        services.AddHttpClient(KeyVaultKeyWrapper.HttpClientName);
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<DataProtectionSettings>();
            if (!settings.UsesKeyVault)
            {
                throw new InvalidOperationException($"The key ring holds keys wrapped by a Key Vault key but setting {DataProtectionSettings.Section}:KeyVaultKeyId is not set.");
            }

            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = sp.GetRequiredService<IConfiguration>()["AZURE_CLIENT_ID"] });
            return new KeyVaultKeyWrapper(new Uri(settings.KeyVaultKeyId!), sp.GetRequiredService<IHttpClientFactory>().CreateClient(KeyVaultKeyWrapper.HttpClientName), credential);
        });

        // Plain HttpClients: no automatic retries, the sync's own backoff honours Retry-After.
        services.AddHttpClient<CalendarOAuth>();
        services.AddHttpClient<GoogleCalendarClient>();
        services.AddHttpClient<OutlookCalendarClient>();
        services.AddTransient<ICalendarClient>(sp => sp.GetRequiredService<GoogleCalendarClient>());
        services.AddTransient<ICalendarClient>(sp => sp.GetRequiredService<OutlookCalendarClient>());
        services.AddSingleton<CalendarStore>();
        services.AddSingleton<ICalendarFiles, InterviewCalendarFiles>();
        services.AddTransient<CalendarSync>();
        services.AddTransient<CalendarReconciler>();
        services.AddTransient<CalendarPush>();
        services.AddTransient<ICalendarSyncRequests, QueuedCalendarSyncRequests>();
        services.AddSingleton<ConnectionLimiter>();
        services.AddTransient<CalendarSyncHandler>();
        services.AddEventHandler<CalendarSyncHandler>();
        return services;
    }

    public static IXmlRepository KeyRing(DataProtectionSettings settings, StorageSettings storage, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(settings.BlobConnectionString))
        {
            return new BlobXmlRepository(new BlobContainerClient(settings.BlobConnectionString, settings.BlobContainer).GetBlobClient(settings.BlobName));
        }

        if (!string.IsNullOrWhiteSpace(settings.BlobUri))
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] });
            return new BlobXmlRepository(new BlobClient(new Uri(settings.BlobUri), credential));
        }

        var directory = settings.KeyDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storage.SqlitePath))!, "keys");
        return new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(new DirectoryInfo(directory), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
    }
}
