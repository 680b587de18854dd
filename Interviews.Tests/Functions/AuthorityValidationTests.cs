using Interviews.Functions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Interviews.Functions.Auth;
using Interviews.Tests.Hardening;
using Interviews.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interviews.Tests.Functions;

/// <summary>
/// Production validation: signing keys and issuer from an OpenID Connect authority's discovery
/// document, served on loopback as Entra ID would serve it (<see cref="OidcAuthority"/>).
/// </summary>
public sealed class AuthorityValidationTests : IAsyncLifetime
{
    private const string Audience = OidcAuthority.Audience;
    private OidcAuthority _authority = null!;

    public async ValueTask InitializeAsync() => _authority = await OidcAuthority.StartAsync();

    public ValueTask DisposeAsync() => _authority.DisposeAsync();

    private BearerTokenValidator Validator() => new(
        new AuthSettings { Authority = _authority.HttpAuthority, Audience = Audience }.ForAuthority(requireHttps: false),
        NullLogger<BearerTokenValidator>.Instance);

    [Fact]
    public async Task A_token_signed_by_the_authoritys_key_is_accepted_and_oid_is_the_user()
    {
        var oid = Guid.NewGuid();
        var outcome = await Validator().ValidateAsync("Bearer " + _authority.Signer.Mint("pairwise-subject", objectId: oid));
        Assert.True(outcome.Succeeded, outcome.Failure);
        Assert.Equal(oid.ToString("D"), outcome.Principal!.FindFirst(BearerTokenValidator.UserIdClaim)!.Value);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_rejected()
    {
        var outcome = await Validator().ValidateAsync(ForgedTokens.Header("bad-signature", _authority.Signer));
        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_rejected()
    {
        var outcome = await Validator().ValidateAsync(ForgedTokens.Header("wrong-issuer", _authority.Signer));
        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task A_development_token_is_never_accepted_by_the_authority_validation()
    {
        var development = TokenSigner.For(LocalHostFactory.DevelopmentTokens) with { Issuer = _authority.Issuer, Audience = Audience };
        var outcome = await Validator().ValidateAsync("Bearer " + development.Mint("pairwise-subject"));
        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public void The_deployed_app_refuses_to_start_with_a_development_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = "https://login.microsoftonline.com/tenant/v2.0",
            ["Auth:Audience"] = Audience,
            ["Auth:Development:SigningKey"] = "interviews-localhost-development-signing-key-not-a-secret",
        }).Build();
        var error = StartDeployedApp(configuration);
        Assert.Contains("Auth:Development:SigningKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, Audience, "Auth:Authority")]
    [InlineData("http://login.example/tenant", Audience, "Auth:Authority")]
    [InlineData("https://login.microsoftonline.com/tenant/v2.0", null, "Auth:Audience")]
    public void The_deployed_app_names_a_missing_or_unsafe_setting(string? authority, string? audience, string setting)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Authority"] = authority,
            ["Auth:Audience"] = audience,
        }).Build();
        var error = StartDeployedApp(configuration);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The deployed app's services over <paramref name="configuration"/> (with Cosmos DB and work queue settings), and the failure of its start-up checks.</summary>
    private static Exception StartDeployedApp(IConfigurationRoot configuration)
    {
        var withCosmos = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Cosmos:ConnectionString"] = "AccountEndpoint=https://127.0.0.1:9/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;",
                ["WorkQueues"] = "UseDevelopmentStorage=true",
            })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(withCosmos)
            .AddLogging()
            .AddInterviews()
            .AddDeployedAppSettings();
        using var provider = services.BuildServiceProvider();
        return Assert.ThrowsAny<Exception>(() => StartupChecks.Run(provider));
    }
}
