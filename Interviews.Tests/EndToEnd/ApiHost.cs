using System.Net.Http.Headers;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;

namespace Interviews.Tests.EndToEnd;

/// <summary>A user of the end-to-end tests: a subject and object id no other test uses, and an e-mail address.</summary>
public sealed record TestUser(string Subject, Guid Id, string Email)
{
    public static TestUser New()
    {
        var id = Guid.NewGuid();
        return new TestUser($"user-{id:N}", id, $"{id:N}@example.com");
    }
}

/// <summary>
/// One of the two hosts the end-to-end tests run against, each with the production token validation: an
/// OpenID Connect authority on loopback (<see cref="Authority"/>) whose RS256 tokens the API checks
/// against the authority's discovery document and keys. The tests are written once against this.
/// </summary>
public abstract class ApiHost : IAsyncLifetime
{
    public OidcAuthority Authority { get; private set; } = null!;

    /// <summary>Why this host cannot run on this machine (null: it runs).</summary>
    public virtual string? SkipReason => null;

    /// <summary>The host's clock (LocalHost's is a fake one the tests move; the worker's is the machine's).</summary>
    public abstract DateTimeOffset Now { get; }

    /// <summary>The store of the reminders the event pump plans, as the tests can reach it.</summary>
    public abstract ReminderStore Reminders { get; }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous() => CreateClient();

    /// <summary>A client with <paramref name="authorization"/> as its Authorization header (null: none).</summary>
    public HttpClient ClientWith(string? authorization)
    {
        var client = CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        return client;
    }

    /// <summary>A client with a valid token of the authority for <paramref name="user"/>.</summary>
    public HttpClient ClientFor(TestUser user)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Authority.Signer.Mint(user.Subject, user.Email, user.Id));
        return client;
    }

    /// <summary>Skips the calling test when the host cannot run here.</summary>
    public void Require()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    /// <summary>Returns once the host's clock is past <paramref name="instant"/>.</summary>
    public abstract Task PassAsync(DateTimeOffset instant);

    /// <summary>Runs a timer function once, as its schedule would.</summary>
    public abstract Task RunTimerAsync(string function);

    protected abstract HttpClient CreateClient();

    /// <summary>Starts the host (after <see cref="Authority"/>), or leaves it stopped with a <see cref="SkipReason"/>.</summary>
    protected abstract Task StartAsync();

    protected abstract ValueTask StopAsync();

    public async ValueTask InitializeAsync()
    {
        Authority = await OidcAuthority.StartAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Authority.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
