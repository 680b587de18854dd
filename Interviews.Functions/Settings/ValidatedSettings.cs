using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Interviews.Functions.Settings;

/// <summary>A settings section that can say what is wrong with its values, each message naming the setting.</summary>
public interface ICheckedSettings
{
    /// <summary>Every problem with the values, as messages that name the setting and say what it must be; none when they are fine.</summary>
    IEnumerable<string> Problems();
}

/// <summary>
/// The one way settings are read: a section bound once from the host's configuration, checked when the
/// host starts (not at the first request that needs it), and registered as itself, so that services
/// take <typeparamref name="T"/> and never read configuration. A value of the wrong type
/// (<c>Storage:EventTimeToLive=soon</c>) fails binding at start-up with a message naming it too.
/// </summary>
public static class ValidatedSettings
{
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, string section)
        where T : class, ICheckedSettings
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, Checks<T>>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    /// <summary>Adds a check of <typeparamref name="T"/> that only this host makes (the deployed app requires Cosmos DB).</summary>
    public static IServiceCollection AddSettingsCheck<T>(this IServiceCollection services, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new ExtraCheck<T>(problems));
        return services;
    }

    private sealed class Checks<T> : IValidateOptions<T>
        where T : class, ICheckedSettings
    {
        public ValidateOptionsResult Validate(string? name, T options) => Result(options.Problems());
    }

    private sealed class ExtraCheck<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) => Result(problems(options));
    }

    private static ValidateOptionsResult Result(IEnumerable<string> problems)
    {
        var failures = problems.ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
