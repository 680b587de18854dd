using Interviews.Functions.Settings;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Interviews.Functions.Auth;

/// <summary>Authentication settings (section <c>Auth</c>).</summary>
public sealed class AuthSettings : ICheckedSettings
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    public const string Section = "Auth";

    /// <summary>The OpenID Connect authority whose signing keys and issuer are trusted, e.g. https://login.microsoftonline.com/{tenant}/v2.0.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must be issued for (the API's application id URI or client id).</summary>
    public string? Audience { get; set; }

    /// <summary>Allowed clock difference when checking lifetimes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Validation against the authority's discovery document; keys are fetched and refreshed by the
    /// configuration manager (and again on an unknown key id).
    /// </summary>
    public TokenValidationParameters ForAuthority() => ForAuthority(requireHttps: true);

    /// <summary>LocalHost's development signing key (section <c>Auth:Development</c>): named here only so that the deployed app can refuse it.</summary>
    public DevelopmentKeySettings? Development { get; set; }

    public IEnumerable<string> Problems()
    {
        if (ClockSkew < TimeSpan.Zero || ClockSkew > MaxClockSkew)
        {
            yield return $"Setting {Section}:ClockSkew must be between 00:00:00 and {MaxClockSkew:c}.";
        }

        if (!string.IsNullOrWhiteSpace(Authority))
        {
            if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
            {
                yield return $"Setting {Section}:Authority must be the https URL of the OpenID Connect authority that issues the API's tokens.";
            }

            if (string.IsNullOrWhiteSpace(Audience))
            {
                yield return $"Setting {Section}:Audience is required with {Section}:Authority: the audience the API's tokens are issued for.";
            }
        }
    }

    /// <summary>
    /// The deployed Functions app's own check: it trusts only an OpenID Connect authority. A development
    /// key in its settings would let anyone mint tokens, so it fails start-up instead of being ignored.
    /// </summary>
    public static IEnumerable<string> RequiredForDeployedApp(AuthSettings settings)
    {
        if (!string.IsNullOrEmpty(settings.Development?.SigningKey))
        {
            yield return $"Setting {Section}:Development:SigningKey is for Interviews.LocalHost only; remove it from the Functions app's settings.";
        }

        if (string.IsNullOrWhiteSpace(settings.Authority))
        {
            yield return $"Setting {Section}:Authority must be the https URL of the OpenID Connect authority that issues the API's tokens.";
        }
    }

    /// <summary>Tests serve a discovery document over plain HTTP on loopback; nothing else may.</summary>
    internal TokenValidationParameters ForAuthority(bool requireHttps)
    {
        if (string.IsNullOrWhiteSpace(Authority)
            || !Uri.TryCreate(Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && (requireHttps || !authority.IsLoopback)))
        {
            throw new InvalidOperationException("Setting Auth:Authority must be the https URL of the OpenID Connect authority that issues the API's tokens.");
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            throw new InvalidOperationException("Setting Auth:Audience must name the audience the API's tokens are issued for.");
        }

        var metadata = Authority.TrimEnd('/') + "/.well-known/openid-configuration";
        return new TokenValidationParameters
        {
            ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                metadata, new OpenIdConnectConfigurationRetriever(), new HttpDocumentRetriever { RequireHttps = requireHttps }),
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256],
            ClockSkew = ClockSkew,
        };
    }
}

/// <summary>The part of LocalHost's development key settings the deployed app looks at.</summary>
public sealed class DevelopmentKeySettings
{
    public string? SigningKey { get; set; }
}
