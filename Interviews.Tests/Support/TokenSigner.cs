using System.Security.Claims;
using System.Text;
using Interviews.LocalHost;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Interviews.Tests.Support;

/// <summary>
/// Who signs the tokens a test sends: the issuer and audience the API expects, the key it trusts, a key it
/// does not trust (same key id), and the trusted key with an algorithm the API does not allow.
/// </summary>
public sealed record TokenSigner(string Issuer, string Audience, SigningCredentials Credentials, SigningCredentials Untrusted, SigningCredentials DisallowedAlgorithm)
{
    /// <summary>LocalHost's development tokens: HS256 over the UTF-8 bytes of the development key.</summary>
    public static TokenSigner For(DevelopmentTokens settings)
    {
        var key = Encoding.UTF8.GetBytes(settings.SigningKey);
        var longKey = key;
        // HS512 needs a 64-byte key; repeat the real one rather than use another.
        while (longKey.Length < 64)
        {
            longKey = [.. longKey, .. longKey];
        }

        return new TokenSigner(
            settings.Issuer,
            settings.Audience,
            new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(new string('k', 64))), SecurityAlgorithms.HmacSha256),
            new SigningCredentials(new SymmetricSecurityKey(longKey), SecurityAlgorithms.HmacSha512));
    }

    /// <summary>A valid token for <paramref name="subject"/>, valid for <paramref name="lifetime"/> (an hour) from now.</summary>
    public string Mint(string subject, string? email = null, Guid? objectId = null, TimeSpan? lifetime = null)
    {
        var claims = new List<Claim> { new("sub", subject), new("name", subject) };
        if (email is not null)
        {
            claims.Add(new Claim("email", email));
        }

        if (objectId is { } oid)
        {
            claims.Add(new Claim("oid", oid.ToString("D")));
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = Credentials,
        });
    }
}
