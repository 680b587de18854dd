using Interviews.Functions.Auth;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.EndToEnd;

/// <summary>
/// LocalHost (in process, real Kestrel) over its embedded SQLite file, validating tokens against the
/// loopback OpenID Connect authority: <c>Auth:Authority</c> and <c>Auth:Audience</c> set as for any
/// authority, and the validation parameters of the same production path reading the discovery document
/// over plain HTTP, which only loopback may (<see cref="AuthSettings"/>), since this process cannot be
/// made to trust the authority's own certificate. Its domain clock is a fake one the tests move.
/// </summary>
public sealed class LocalHostApi : ApiHost
{
    private LocalHostFactory _factory = null!;

    public override DateTimeOffset Now => _factory.Clock.GetUtcNow();

    public override ReminderStore Reminders => _factory.Services.GetRequiredService<ReminderStore>();

    public override Task PassAsync(DateTimeOffset instant)
    {
        if (_factory.Clock.GetUtcNow() <= instant)
        {
            _factory.Clock.SetUtcNow(instant.AddSeconds(1));
        }

        return Task.CompletedTask;
    }

    public override Task RunTimerAsync(string function) => _factory.RunTimerAsync(function);

    protected override HttpClient CreateClient() => _factory.ClientFor(null);

    protected override Task StartAsync()
    {
        var auth = new AuthSettings { Authority = Authority.HttpAuthority, Audience = OidcAuthority.Audience };
        _factory = LocalHostFactory.WithSettings(
            EndToEndSettings.Common(Authority.HttpAuthority),
            services => services.AddSingleton(auth.ForAuthority(requireHttps: false)));
        return Task.CompletedTask;
    }

    protected override async ValueTask StopAsync() => await _factory.DisposeAsync();
}

/// <summary>The settings both hosts run the end-to-end tests with.</summary>
public static class EndToEndSettings
{
    public const string GoogleClientId = "interviews-tests.apps.googleusercontent.com";

    public static Dictionary<string, string?> Common(string authority) => new()
    {
        ["Auth:Authority"] = authority,
        ["Auth:Audience"] = OidcAuthority.Audience,
        ["Calendar:Google:ClientId"] = GoogleClientId,
        ["Calendar:Google:ClientSecret"] = "not-a-secret",
    };
}
