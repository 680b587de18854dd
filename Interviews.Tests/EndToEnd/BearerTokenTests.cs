using System.Net;
using Interviews.Tests.Hardening;
using Interviews.Tests.Support;

namespace Interviews.Tests.EndToEnd;

/// <summary>
/// The production validation path end to end: tokens of the OpenID Connect authority are accepted, and every
/// forged credential (missing, expired, another audience or issuer, a bad signature, <c>alg: none</c>, …) is a
/// 401 problem with <c>WWW-Authenticate: Bearer</c>.
/// </summary>
public abstract class BearerTokenTests(ApiHost host)
{
    public static TheoryData<string> Kinds => [.. ForgedTokens.Kinds];

    [Fact]
    public async Task A_token_signed_by_the_authority_is_accepted()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var response = await client.GetPathAsync("/api/interviews");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.JsonAsync())["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_forged_credential_is_refused_with_401(string kind)
    {
        host.Require();
        using var client = host.ClientWith(ForgedTokens.Header(kind, host.Authority.Signer));
        var response = await client.GetPathAsync("/api/interviews");
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("unauthenticated", problem["code"]!.GetValue<string>());
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_without_a_token_is_refused_before_its_body_is_read()
    {
        host.Require();
        using var client = host.Anonymous();
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(host.Now.AddDays(1)));
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}

[Collection(LocalHostCollection.Name)]
public sealed class LocalHostBearerTokenTests(LocalHostApi host) : BearerTokenTests(host);

[Collection(FunctionsWorkerCollection.Name)]
public sealed class FunctionsWorkerBearerTokenTests(FunctionsWorkerApi host) : BearerTokenTests(host);
