using Interviews.Functions.Integration;
using Interviews.Functions.Auth;
using Interviews.Functions.Calendar;
using Interviews.Functions.Events;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Interviews.Functions.Hosting;

/// <summary>
/// Checks the settings sections when a host starts (not at the first request that needs them), with
/// messages that name the setting. A value of the wrong type (<c>Storage:EventTimeToLive=soon</c>) fails
/// binding with a message that names it too.
/// </summary>
public static class SettingsValidation
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxEventTimeToLive = TimeSpan.FromDays(3650);

    public static IServiceCollection AddValidatedSettings(this IServiceCollection services)
    {
        services.AddOptions<StorageSettings>().BindConfiguration(StorageSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageSettings>, StorageSettingsValidation>();
        services.AddOptions<AuthSettings>().BindConfiguration(AuthSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthSettings>, AuthSettingsValidation>();
        services.AddOptions<EmailSettings>().BindConfiguration(EmailSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailSettings>, EmailSettingsValidation>();
        services.AddOptions<EventPumpSettings>().BindConfiguration(EventPumpSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventPumpSettings>, EventPumpSettingsValidation>();
        services.AddOptions<EventGridSettings>().BindConfiguration(EventGridSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventGridSettings>, EventGridSettingsValidation>();
        services.AddOptions<DataProtectionSettings>().BindConfiguration(DataProtectionSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DataProtectionSettings>, DataProtectionSettingsValidation>();
        return services;
    }

    /// <summary>Only checked when a host is set: without one, e-mail is simply off.</summary>
    private sealed class EmailSettingsValidation : IValidateOptions<EmailSettings>
    {
        public ValidateOptionsResult Validate(string? name, EmailSettings options)
        {
            if (!options.IsConfigured)
            {
                return ValidateOptionsResult.Success;
            }

            var failures = new List<string>();
            if (options.Smtp.Port is < 1 or > 65535)
            {
                failures.Add($"Setting {EmailSettings.Section}:Smtp:Port must be a TCP port (1-65535).");
            }

            try
            {
                _ = options.Smtp.SocketOptions;
            }
            catch (InvalidOperationException exception)
            {
                failures.Add(exception.Message);
            }

            if (options.Smtp.Timeout <= TimeSpan.Zero)
            {
                failures.Add($"Setting {EmailSettings.Section}:Smtp:Timeout must be a positive time span.");
            }

            if (string.IsNullOrWhiteSpace(options.From) || !MimeKit.MailboxAddress.TryParse(options.From, out _))
            {
                failures.Add($"Setting {EmailSettings.Section}:From must be the sender's address, e.g. \"Interviews <reminders@example.com>\".");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    private sealed class EventPumpSettingsValidation : IValidateOptions<EventPumpSettings>
    {
        public ValidateOptionsResult Validate(string? name, EventPumpSettings options)
        {
            var failures = new List<string>();
            if (options.MaxAttempts is < 1 or > 100)
            {
                failures.Add($"Setting {EventPumpSettings.Section}:MaxAttempts must be from 1 to 100.");
            }

            if (options.FirstRetryDelay <= TimeSpan.Zero || options.FirstRetryDelay > TimeSpan.FromHours(1))
            {
                failures.Add($"Setting {EventPumpSettings.Section}:FirstRetryDelay must be a positive time span of at most 01:00:00.");
            }

            if (options.PageSize is < 1 or > 1000)
            {
                failures.Add($"Setting {EventPumpSettings.Section}:PageSize must be from 1 to 1000.");
            }

            if (options.MaxRunDuration <= TimeSpan.Zero)
            {
                failures.Add($"Setting {EventPumpSettings.Section}:MaxRunDuration must be a positive time span.");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    private sealed class EventGridSettingsValidation : IValidateOptions<EventGridSettings>
    {
        public ValidateOptionsResult Validate(string? name, EventGridSettings options) =>
            !options.IsConfigured || (Uri.TryCreate(options.TopicEndpoint, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Setting {EventGridSettings.Section}:TopicEndpoint must be the https URL of the Event Grid topic.");
    }

    private sealed class DataProtectionSettingsValidation : IValidateOptions<DataProtectionSettings>
    {
        public ValidateOptionsResult Validate(string? name, DataProtectionSettings options) =>
            !options.UsesKeyVault || (Uri.TryCreate(options.KeyVaultKeyId, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath.StartsWith("/keys/", StringComparison.OrdinalIgnoreCase))
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Setting {DataProtectionSettings.Section}:KeyVaultKeyId must be the https URI of a Key Vault key, e.g. https://kv-x.vault.azure.net/keys/dataprotection.");
    }

    private sealed class StorageSettingsValidation : IValidateOptions<StorageSettings>
    {
        public ValidateOptionsResult Validate(string? name, StorageSettings options)
        {
            var failures = new List<string>();
            if (string.IsNullOrWhiteSpace(options.SqlitePath) || options.SqlitePath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                failures.Add($"Setting {StorageSettings.Section}:SqlitePath must be a file path for the embedded store (relative paths are from the working directory).");
            }

            if (options.EventTimeToLive <= TimeSpan.Zero || options.EventTimeToLive > MaxEventTimeToLive)
            {
                failures.Add($"Setting {StorageSettings.Section}:EventTimeToLive must be a positive time span of at most {MaxEventTimeToLive.Days} days, e.g. 7.00:00:00.");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    private sealed class AuthSettingsValidation : IValidateOptions<AuthSettings>
    {
        public ValidateOptionsResult Validate(string? name, AuthSettings options)
        {
            var failures = new List<string>();
            if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaxClockSkew)
            {
                failures.Add($"Setting {AuthSettings.Section}:ClockSkew must be between 00:00:00 and {MaxClockSkew:c}.");
            }

            if (!string.IsNullOrWhiteSpace(options.Authority))
            {
                if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
                {
                    failures.Add($"Setting {AuthSettings.Section}:Authority must be the https URL of the OpenID Connect authority that issues the API's tokens.");
                }

                if (string.IsNullOrWhiteSpace(options.Audience))
                {
                    failures.Add($"Setting {AuthSettings.Section}:Audience is required with {AuthSettings.Section}:Authority: the audience the API's tokens are issued for.");
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
