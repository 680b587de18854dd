using System.Security.Claims;
using System.Text;
using Interviews.Functions.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Interviews.LocalHost;

/// <summary>
/// LocalHost's development tokens (section <c>Auth:Development</c>): HS256 JWTs signed with the UTF-8
/// bytes of <see cref="SigningKey"/>, with this issuer and audience. The key is public on purpose: it is
/// for a developer's machine and tests, and the Functions app refuses to start with it.
/// </summary>
public sealed class DevelopmentTokens
{
    public const string Section = "Auth:Development";

    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "https://localhost/interviews-dev";

    public string Audience { get; set; } = "api://interviews";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    public static DevelopmentTokens From(IConfiguration configuration)
    {
        var tokens = configuration.GetSection(Section).Get<DevelopmentTokens>() ?? new DevelopmentTokens();
        if (Encoding.UTF8.GetByteCount(tokens.SigningKey) < 32)
        {
            throw new InvalidOperationException($"Setting {Section}:SigningKey must be at least 32 bytes (HS256).");
        }

        if (string.IsNullOrWhiteSpace(tokens.Issuer) || string.IsNullOrWhiteSpace(tokens.Audience))
        {
            throw new InvalidOperationException($"Settings {Section}:Issuer and {Section}:Audience must not be empty.");
        }

        if (tokens.TokenLifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Setting {Section}:TokenLifetime must be a positive time span, e.g. 12:00:00.");
        }

        return tokens;
    }

    public TokenValidationParameters ValidationParameters(TimeSpan clockSkew) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = Key,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = clockSkew,
    };

    /// <summary>A token for <paramref name="user"/> (its <c>sub</c>; a non-GUID subject maps to a stable GUID).</summary>
    public string Mint(string user, string? email, DateTimeOffset now, TimeSpan? lifetime = null)
    {
        var claims = new List<Claim> { new("sub", user), new("name", user) };
        if (!string.IsNullOrWhiteSpace(email))
        {
            claims.Add(new Claim("email", email));
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + (lifetime ?? TokenLifetime)).UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The user id the API will derive from a token minted for <paramref name="user"/>.</summary>
    public static Guid UserIdOf(string user) => Guid.TryParse(user, out var id) ? id : UserIds.NameBased(user);

    private SymmetricSecurityKey Key => new(Encoding.UTF8.GetBytes(SigningKey));
}
