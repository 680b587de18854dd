using Interviews.Functions.Auth;
using Interviews.Tests.Hardening;
using Interviews.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interviews.Tests.Functions;

/// <summary>
/// Correctly signed tokens that RFC 7515 and RFC 7519 say to refuse: a NumericDate (<c>exp</c>, <c>nbf</c>,
/// <c>iat</c>) that is not a JSON number, and a <c>crit</c> header naming an extension the service does not
/// implement. Each is checked beside the same token written by the standards, which passes.
/// </summary>
public sealed class StandardTokenRulesTests
{
    private static BearerTokenValidator Validator() =>
        new(LocalHostFactory.DevelopmentTokens.ValidationParameters(TimeSpan.FromMinutes(2)), NullLogger<BearerTokenValidator>.Instance);

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    [InlineData("iat")]
    public async Task A_numeric_date_written_as_a_string_is_refused_though_the_signature_is_right(string claim)
    {
        var now = DateTime.UtcNow;
        var standard = ForgedTokens.Signed(ForgedTokens.Payload(LocalHostFactory.DevelopmentTokens, now, includeExpiry: true));
        var asString = ForgedTokens.Signed(ForgedTokens.Payload(LocalHostFactory.DevelopmentTokens, now, includeExpiry: true, asString: claim));

        Assert.True((await Validator().ValidateAsync("Bearer " + standard)).Succeeded);
        Assert.Contains($"\"{claim}\":\"", System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(asString.Split('.')[1])), StringComparison.Ordinal);
        Assert.Equal("invalid", (await Validator().ValidateAsync("Bearer " + asString)).Failure);
    }

    [Fact]
    public async Task A_crit_header_is_refused_though_the_signature_is_right()
    {
        var payload = ForgedTokens.Payload(LocalHostFactory.DevelopmentTokens, DateTime.UtcNow, includeExpiry: true);
        var plain = ForgedTokens.Signed(payload, new Dictionary<string, object> { ["b64"] = true });
        var critical = ForgedTokens.Signed(payload, new Dictionary<string, object> { ["crit"] = new[] { "b64" }, ["b64"] = true });

        Assert.True((await Validator().ValidateAsync("Bearer " + plain)).Succeeded);
        Assert.Equal("invalid", (await Validator().ValidateAsync("Bearer " + critical)).Failure);
    }
}
