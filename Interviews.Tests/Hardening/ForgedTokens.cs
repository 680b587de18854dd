using System.Security.Claims;
using System.Text;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Interviews.Tests.Hardening;

/// <summary>
/// Every kind of bad bearer credential the API must refuse, built for a <see cref="TokenSigner"/> (LocalHost's
/// development key, or an OpenID Connect authority's RSA key): wrong lifetimes, audiences, issuers, keys and
/// algorithms, tampered and truncated tokens, tokens the JWT standards refuse though correctly signed (a
/// NumericDate as a string, a <c>crit</c> header), and credentials that are not bearer tokens at all. Each is
/// the whole Authorization header value.
/// </summary>
public static class ForgedTokens
{
    public static readonly string[] Kinds =
    [
        "missing", "empty-bearer", "basic", "expired", "not-yet-valid", "wrong-audience", "wrong-issuer", "bad-signature",
        "alg-none", "garbage", "no-expiry", "no-subject", "tampered-payload", "signature-stripped", "truncated", "disallowed-algorithm", "two-tokens",
        "exp-as-string", "nbf-as-string", "iat-as-string", "crit-header",
    ];

    /// <summary>The Authorization header for <paramref name="kind"/> against LocalHost's development tokens (null: none at all).</summary>
    public static string? Header(string kind, DevelopmentTokens settings) => Header(kind, TokenSigner.For(settings));

    /// <summary>The Authorization header for <paramref name="kind"/> against <paramref name="signer"/>'s issuer (null: none at all).</summary>
    public static string? Header(string kind, TokenSigner signer)
    {
        var now = DateTime.UtcNow;
        var valid = signer.Mint("forged-tokens-user");
        return kind switch
        {
            "missing" => null,
            "empty-bearer" => "Bearer ",
            "basic" => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:password")),
            "garbage" => "Bearer abc.def.ghi",
            "tampered-payload" => "Bearer " + Tamper(valid),
            "signature-stripped" => "Bearer " + valid[..(valid.LastIndexOf('.') + 1)],
            "truncated" => "Bearer " + valid[..^5],
            "two-tokens" => $"Bearer {valid} {valid}",
            "alg-none" => "Bearer " + Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64UrlEncoder.Encode(Payload(signer, now, true)) + ".",
            "no-expiry" => "Bearer " + new JsonWebTokenHandler().CreateToken(Payload(signer, now, false), signer.Credentials),
            "exp-as-string" or "nbf-as-string" or "iat-as-string" => "Bearer " + Signed(Payload(signer, now, true, asString: kind[..3]), signer: signer),
            // RFC 7515's "b64" extension, which this service does not implement.
            "crit-header" => "Bearer " + Signed(Payload(signer, now, true), new Dictionary<string, object> { ["crit"] = new[] { "b64" }, ["b64"] = true }, signer),
            _ => "Bearer " + new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(Descriptor(kind, signer, now)),
        };
    }

    private static SecurityTokenDescriptor Descriptor(string kind, TokenSigner signer, DateTime now)
    {
        var claims = kind == "no-subject" ? [] : new List<Claim> { new("sub", "forged-tokens-user") };
        return new SecurityTokenDescriptor
        {
            Issuer = kind == "wrong-issuer" ? "https://evil.example" : signer.Issuer,
            Audience = kind == "wrong-audience" ? "api://someone-else" : signer.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.AddHours(-2),
            NotBefore = kind == "not-yet-valid" ? now.AddHours(1) : now.AddHours(-2),
            // Past the 2 minutes of allowed clock skew either way.
            Expires = kind switch
            {
                "expired" => now.AddMinutes(-10),
                "not-yet-valid" => now.AddHours(2),
                _ => now.AddHours(1),
            },
            SigningCredentials = kind switch
            {
                "bad-signature" => signer.Untrusted,
                // The right key with an algorithm the API does not allow.
                "disallowed-algorithm" => signer.DisallowedAlgorithm,
                _ => signer.Credentials,
            },
        };
    }

    /// <summary>A payload signed with the signer's trusted key (LocalHost's development key by default), with extra header parameters.</summary>
    public static string Signed(string payload, IDictionary<string, object>? header = null, TokenSigner? signer = null) =>
        new JsonWebTokenHandler().CreateToken(payload, (signer ?? TokenSigner.For(LocalHostFactory.DevelopmentTokens)).Credentials, header ?? new Dictionary<string, object>());

    /// <summary>A valid payload for LocalHost's development tokens; see <see cref="Payload(TokenSigner, DateTime, bool, string?)"/>.</summary>
    public static string Payload(DevelopmentTokens settings, DateTime now, bool includeExpiry, string? asString = null) =>
        Payload(TokenSigner.For(settings), now, includeExpiry, asString);

    /// <summary>A valid payload; <paramref name="asString"/> names a NumericDate ("exp", "nbf", "iat") written as a JSON string instead of a number.</summary>
    public static string Payload(TokenSigner signer, DateTime now, bool includeExpiry, string? asString = null)
    {
        var payload = new Dictionary<string, object> { ["iss"] = signer.Issuer, ["aud"] = signer.Audience, ["sub"] = "forged-tokens-user", ["nbf"] = EpochTime.GetIntDate(now.AddHours(-1)), ["iat"] = EpochTime.GetIntDate(now.AddHours(-1)) };
        if (includeExpiry)
        {
            payload["exp"] = EpochTime.GetIntDate(now.AddHours(1));
        }

        if (asString is not null)
        {
            payload[asString] = payload[asString].ToString()!;
        }

        return System.Text.Json.JsonSerializer.Serialize(payload);
    }

    /// <summary>The same signature over a payload that names another subject.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("forged-tokens-user", "someone-else-entirely", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }
}
