using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Interviews.Functions.Auth;

/// <summary>The result of checking a request's bearer token: the caller's user id, or why not.</summary>
public sealed record AuthenticationOutcome(ClaimsPrincipal? Principal, string? Failure)
{
    public bool Succeeded => Principal is not null;
}

/// <summary>
/// The one validation core behind both hosts' adapters (the Functions worker middleware and
/// LocalHost's ASP.NET Core middleware): checks a JWT's signature, issuer, audience and lifetime with
/// the configured <see cref="TokenValidationParameters"/>, refuses what the JWT standards say to refuse
/// even when it is correctly signed, and derives the user id from the token alone.
/// </summary>
public sealed partial class BearerTokenValidator(TokenValidationParameters parameters, ILogger<BearerTokenValidator> logger)
{
    /// <summary>The claim that carries the user id this service derived; only this validator sets it.</summary>
    public const string UserIdClaim = "interviews:user_id";

    /// <summary>How long a validated token is taken on trust at most, before its signature and claims are checked again.</summary>
    public static readonly TimeSpan MaxCacheAge = TimeSpan.FromMinutes(5);

    /// <summary>The most validated tokens remembered; past it the memory starts empty again.</summary>
    public const int MaxCachedTokens = 10_000;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    // Tokens that passed, keyed by their SHA-256 (the token itself is not kept), until their expiry or
    // MaxCacheAge, whichever comes first. A client sends one token with many requests, and validating it
    // (parsing, the signature — RSA in production —, the claims) was a tenth of a list page's server
    // time. Failures are never remembered, so a bad token is checked every time. The clock is the one
    // the handler checks lifetimes with. The cost: a token signed with a key its issuer has since
    // withdrawn is still accepted for at most MaxCacheAge (the signing keys themselves are refreshed
    // from the issuer far less often than that).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedPrincipal> _validated = new(StringComparer.Ordinal);

    private sealed record CachedPrincipal(ClaimsPrincipal Principal, DateTime Until);

    /// <summary>How many validated tokens are remembered now (for tests).</summary>
    internal int CachedTokens => _validated.Count;

    public async Task<AuthenticationOutcome> ValidateAsync(string? authorizationHeader)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            return new(null, "missing");
        }

        const string scheme = "Bearer ";
        if (!authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorizationHeader.Length <= scheme.Length)
        {
            return new(null, "not-bearer");
        }

        var token = authorizationHeader[scheme.Length..].Trim();
        if (token.Length > 8192)
        {
            return new(null, "too-long");
        }

        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = DateTime.UtcNow;
        if (_validated.TryGetValue(key, out var cached) && now < cached.Until)
        {
            return new(cached.Principal, null);
        }

        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            // The exception type says why (expired, bad signature, audience…) without any token content.
            LogRejected(logger, result.Exception?.GetType().Name ?? "unknown");
            return new(null, "invalid");
        }

        if ((result.SecurityToken is JsonWebToken jwt ? Nonstandard(jwt) : "not-a-jws") is { } breach)
        {
            LogRejected(logger, breach);
            return new(null, "invalid");
        }

        var userId = UserIds.From(result.ClaimsIdentity);
        if (userId is null)
        {
            LogRejected(logger, "no-subject");
            return new(null, "no-subject");
        }

        var identity = new ClaimsIdentity(result.ClaimsIdentity.Claims, "Bearer");
        identity.AddClaim(new Claim(UserIdClaim, userId.Value.ToString("D")));
        var principal = new ClaimsPrincipal(identity);
        Remember(key, principal, result.SecurityToken.ValidTo, now);
        return new(principal, null);
    }

    /// <summary>
    /// What the standards refuse that the handler lets through: a <c>crit</c> header (RFC 7515 §4.1.11: a
    /// recipient must reject a token whose <c>crit</c> names an extension it does not implement, and this
    /// service implements none), and <c>exp</c>, <c>nbf</c> or <c>iat</c> that are not JSON numbers (RFC 7519
    /// §2 and §4.1.4–6: a NumericDate is a number; the handler also reads one from a string).
    /// </summary>
    private static string? Nonstandard(JsonWebToken token)
    {
        using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedHeader));
        if (header.RootElement.ValueKind != JsonValueKind.Object || header.RootElement.TryGetProperty("crit", out _))
        {
            return "crit-header";
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        foreach (var claim in NumericDates)
        {
            if (payload.RootElement.TryGetProperty(claim, out var value) && value.ValueKind != JsonValueKind.Number)
            {
                return claim + "-not-a-number";
            }
        }

        return null;
    }

    private static readonly string[] NumericDates = ["exp", "nbf", "iat"];

    private void Remember(string key, ClaimsPrincipal principal, DateTime expires, DateTime now)
    {
        // No exp claim (ValidTo is MinValue) or already inside the clock skew: checked every time.
        var until = expires < now + MaxCacheAge ? expires : now + MaxCacheAge;
        if (until <= now)
        {
            return;
        }

        if (_validated.Count >= MaxCachedTokens)
        {
            _validated.Clear();
        }

        _validated[key] = new CachedPrincipal(principal, until);
    }

    /// <summary>Answers 401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750) and a problem body.</summary>
    public static Task ChallengeAsync(HttpContext context, AuthenticationOutcome outcome)
    {
        context.Response.Headers.WWWAuthenticate = outcome.Failure == "missing"
            ? "Bearer"
            : "Bearer error=\"invalid_token\"";
        var detail = outcome.Failure == "missing"
            ? "Send a bearer token in the Authorization header."
            : "The bearer token is invalid or expired.";
        return Http.Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthenticated", detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bearer token rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}

/// <summary>How a validated token becomes a user id.</summary>
public static class UserIds
{
    // A fixed namespace for name-based (RFC 9562 version 5) ids of non-GUID subjects.
    private static readonly Guid SubjectNamespace = new("5d1a3c1e-8c5b-4f0e-9a53-0c0a7e6b9f41");

    /// <summary>The <c>oid</c> claim (Entra ID's object id) if it is a GUID, else <c>sub</c>: itself if a GUID, else a stable name-based GUID of it.</summary>
    public static Guid? From(ClaimsIdentity identity)
    {
        if (Guid.TryParse(identity.FindFirst("oid")?.Value, out var oid) && oid != Guid.Empty)
        {
            return oid;
        }

        var subject = identity.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(subject))
        {
            return null;
        }

        return Guid.TryParse(subject, out var guid) && guid != Guid.Empty ? guid : NameBased(subject);
    }

    public static Guid NameBased(string name)
    {
        Span<byte> namespaceBytes = stackalloc byte[16];
        SubjectNamespace.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        var input = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        namespaceBytes.CopyTo(input);
        Encoding.UTF8.GetBytes(name, input.AsSpan(16));
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 specifies for version 5 ids; it is not used for security here.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
