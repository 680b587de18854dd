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
        var token = Token(kind);
        foreach (var row in Endpoints)
        {
            var client = factory.ClientFor(null);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
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
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("valid"));
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
        viaOid.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("valid", oid: oid, subject: "someone"));
        var (id, _, _) = await viaOid.ScheduleAsync(factory);

        var viaSub = factory.ClientFor(null);
        viaSub.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("valid", subject: oid.ToString()));
        Assert.Equal(HttpStatusCode.OK, (await viaSub.GetPathAsync($"/api/interviews/{id}")).StatusCode);

        var otherSub = factory.ClientFor(null);
        otherSub.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("valid", subject: "someone"));
        Assert.Equal(HttpStatusCode.NotFound, (await otherSub.GetPathAsync($"/api/interviews/{id}")).StatusCode);
    }

    private string Token(string kind, Guid? oid = null, string subject = "auth-tests-user")
    {
        var settings = factory.Tokens;
        var now = DateTime.UtcNow;
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(settings.SigningKey));
        var claims = new List<Claim>();
        if (kind != "no-subject")
        {
            claims.Add(new Claim("sub", subject));
        }

        if (oid is { } o)
        {
            claims.Add(new Claim("oid", o.ToString()));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = kind == "wrong-issuer" ? "https://evil.example" : settings.Issuer,
            Audience = kind == "wrong-audience" ? "api://someone-else" : settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.AddHours(-2),
            NotBefore = kind == "not-yet-valid" ? now.AddHours(1) : now.AddHours(-2),
            Expires = kind switch
            {
                "expired" => now.AddMinutes(-10),
                "not-yet-valid" => now.AddHours(2),
                _ => now.AddHours(1),
            },
            SigningCredentials = new SigningCredentials(
                kind == "bad-signature" ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(new string('k', 64))) : key,
                SecurityAlgorithms.HmacSha256),
        };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return kind switch
        {
            "garbage" => "abc.def.ghi",
            "alg-none" => Unsigned(descriptor),
            "no-expiry" => handler.CreateToken(Payload(descriptor, includeExpiry: false), descriptor.SigningCredentials),
            _ => handler.CreateToken(descriptor),
        };
    }

    private static string Payload(SecurityTokenDescriptor d, bool includeExpiry)
    {
        var payload = new Dictionary<string, object> { ["iss"] = d.Issuer!, ["aud"] = d.Audience!, ["sub"] = "auth-tests-user", ["nbf"] = EpochTime.GetIntDate(d.NotBefore!.Value) };
        if (includeExpiry)
        {
            payload["exp"] = EpochTime.GetIntDate(d.Expires!.Value);
        }

        return System.Text.Json.JsonSerializer.Serialize(payload);
    }

    /// <summary>A token with <c>"alg": "none"</c> and no signature, which must never be accepted.</summary>
    private static string Unsigned(SecurityTokenDescriptor d) =>
        Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64UrlEncoder.Encode(Payload(d, includeExpiry: true)) + ".";
}
