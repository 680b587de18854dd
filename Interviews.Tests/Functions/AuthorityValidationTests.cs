using Interviews.Functions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Interviews.Functions.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Interviews.Tests.Functions;

/// <summary>
/// Production validation: signing keys and issuer from an OpenID Connect authority's discovery
/// document, served here by WireMock on loopback as Entra ID would serve it.
/// </summary>
public sealed class AuthorityValidationTests : IDisposable
{
    private const string Audience = "api://interviews-prod";
    private readonly WireMockServer _authority = Interviews.Tests.Support.Loopback.WireMock();
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;

    public AuthorityValidationTests()
    {
        _key = new RsaSecurityKey(_rsa) { KeyId = "key-1" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "key-1" });
        _authority.Given(Request.Create().WithPath("/tenant/v2.0/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBodyAsJson(new
            {
                issuer = Issuer,
                jwks_uri = $"{_authority.Url}/tenant/discovery/v2.0/keys",
                authorization_endpoint = $"{_authority.Url}/tenant/oauth2/v2.0/authorize",
                token_endpoint = $"{_authority.Url}/tenant/oauth2/v2.0/token",
                id_token_signing_alg_values_supported = new[] { "RS256" },
            }));
        _authority.Given(Request.Create().WithPath("/tenant/discovery/v2.0/keys").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBodyAsJson(new
            {
                keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E } },
            }));
    }

    private string Issuer => $"{_authority.Url}/tenant/v2.0";

    private BearerTokenValidator Validator() => new(
        new AuthSettings { Authority = Issuer, Audience = Audience }.ForAuthority(requireHttps: false),
        NullLogger<BearerTokenValidator>.Instance);

    private string Token(SecurityKey key, string algorithm, string? issuer = null, Guid? oid = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "pairwise-subject"), new Claim("oid", (oid ?? Guid.NewGuid()).ToString())]),
            Expires = DateTime.UtcNow.AddMinutes(30),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });

    [Fact]
    public async Task A_token_signed_by_the_authoritys_key_is_accepted_and_oid_is_the_user()
    {
        var oid = Guid.NewGuid();
        var outcome = await Validator().ValidateAsync("Bearer " + Token(_key, SecurityAlgorithms.RsaSha256, oid: oid));
        Assert.True(outcome.Succeeded, outcome.Failure);
        Assert.Equal(oid.ToString("D"), outcome.Principal!.FindFirst(BearerTokenValidator.UserIdClaim)!.Value);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_rejected()
    {
        using var other = RSA.Create(2048);
        var outcome = await Validator().ValidateAsync("Bearer " + Token(new RsaSecurityKey(other) { KeyId = "key-1" }, SecurityAlgorithms.RsaSha256));
        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_rejected()
    {
        var outcome = await Validator().ValidateAsync("Bearer " + Token(_key, SecurityAlgorithms.RsaSha256, issuer: "https://login.example/other/v2.0"));
        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task A_development_token_is_never_accepted_by_the_authority_validation()
    {
        var symmetric = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Interviews.Tests.Support.LocalHostFactory.DevelopmentTokens.SigningKey));
        var outcome = await Validator().ValidateAsync("Bearer " + Token(symmetric, SecurityAlgorithms.HmacSha256));
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

    /// <summary>The deployed app's services over <paramref name="configuration"/> (with Cosmos DB settings), and the failure of its start-up checks.</summary>
    private static Exception StartDeployedApp(IConfigurationRoot configuration)
    {
        var withCosmos = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Cosmos:ConnectionString"] = "AccountEndpoint=https://127.0.0.1:9/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;" })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(withCosmos)
            .AddLogging()
            .AddInterviews()
            .AddDeployedAppSettings();
        using var provider = services.BuildServiceProvider();
        return Assert.ThrowsAny<Exception>(() => StartupChecks.Run(provider));
    }

    public void Dispose()
    {
        _authority.Stop();
        _authority.Dispose();
        _rsa.Dispose();
    }
}
