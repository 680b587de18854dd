using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Interviews.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Interviews.Tests.Api;

/// <summary>Every endpoint but health needs a valid bearer token; each way a token can be wrong is a 401.</summary>
public sealed class AuthenticationTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    public static readonly TheoryData<string, string> Endpoints = new()
    {
        { "POST", "/api/interviews" },
        { "GET", "/api/interviews" },
        { "GET", "/api/interviews/upcoming" },
        { "GET", "/api/interviews/6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11" },
        { "PUT", "/api/interviews/6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11" },
        { "DELETE", "/api/interviews/6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11" },
        { "PUT", "/api/interviews/6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11/prepare" },
        { "PUT", "/api/interviews/6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11/complete" },
        { "PUT", "/api/interviews/6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11/reschedule" },
        { "POST", "/api/interviews/6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11/thank-you" },
    };

    public static readonly TheoryData<string> BadTokens = ["expired", "not-yet-valid", "wrong-audience", "wrong-issuer", "bad-signature", "alg-none", "garbage", "no-expiry", "no-subject"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_a_token_every_endpoint_is_a_401_with_a_bearer_challenge(string method, string path)
    {
        var client = factory.ClientFor(null);
        var response = await client.SendJsonAsync(new HttpMethod(method), path, "{}");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_a_401_on_every_endpoint(string kind)
    {
        // The same forged credentials the hardening suite sends to every operation of the contract.
        var header = Interviews.Tests.Hardening.ForgedTokens.Header(kind, factory.Tokens);
        foreach (var row in Endpoints)
        {
            var client = factory.ClientFor(null);
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
            var response = await client.SendJsonAsync(new HttpMethod(row.Data.Item1), row.Data.Item2, "{}");
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Token abc")]
    public async Task A_non_bearer_authorization_is_a_401(string header)
    {
        var client = factory.ClientFor(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        await (await client.GetPathAsync("/api/interviews")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_valid_token_is_accepted()
    {
        var client = factory.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.Tokens.Mint("auth-tests-user", null, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, (await client.GetPathAsync("/api/interviews")).StatusCode);
    }

    [Fact]
    public async Task Health_is_anonymous_and_tells_nothing_about_data()
    {
        var response = await factory.ClientFor(null).GetPathAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
        Assert.Equal(["status", "store"], body.Select(p => p.Key));
    }

    [Fact]
    public async Task The_user_id_comes_from_oid_before_sub()
    {
        var oid = Guid.NewGuid();
        var viaOid = factory.ClientFor(null);
        viaOid.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Valid("someone", oid));
        var (id, _, _) = await viaOid.ScheduleAsync(factory);

        var viaSub = factory.ClientFor(null);
        viaSub.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Valid(oid.ToString()));
        Assert.Equal(HttpStatusCode.OK, (await viaSub.GetPathAsync($"/api/interviews/{id}")).StatusCode);

        var otherSub = factory.ClientFor(null);
        otherSub.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Valid("someone"));
        Assert.Equal(HttpStatusCode.NotFound, (await otherSub.GetPathAsync($"/api/interviews/{id}")).StatusCode);
    }

    /// <summary>A valid development token with this subject and, if given, an Entra ID object id.</summary>
    private string Valid(string subject, Guid? oid = null)
    {
        var settings = factory.Tokens;
        var claims = new List<Claim> { new("sub", subject) };
        if (oid is { } o)
        {
            claims.Add(new Claim("oid", o.ToString()));
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(settings.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
