using Interviews.Functions.Auth;
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
        return services;
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
