using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Interviews.Tests.Support;

/// <summary>
/// An OpenID Connect authority on loopback, as Entra ID serves one: a discovery document and its signing
/// keys (JWKS, one RS256 key), over HTTPS with a certificate of its own (<see cref="WriteTrustBundle"/> makes
/// a process trust it) and over plain HTTP (for in-process validation, which may fetch from loopback over
/// HTTP). Both serve the same issuer, <see cref="Issuer"/>, and <see cref="Signer"/> mints its tokens.
/// </summary>
public sealed class OidcAuthority : IAsyncDisposable
{
    public const string Audience = "api://interviews-tests";
    private const string Tenant = "/tenant/v2.0";
    private const string KeyId = "key-1";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly RSA _key;
    private readonly RSA _otherKey;
    private int _discoveryRequests;

    private OidcAuthority(WebApplication app, X509Certificate2 certificate, RSA key, RSA otherKey)
    {
        _app = app;
        _certificate = certificate;
        _key = key;
        _otherKey = otherKey;
    }

    /// <summary>https://127.0.0.1:port/tenant/v2.0: the authority a deployed app is configured with.</summary>
    public string HttpsAuthority { get; private set; } = "";

    /// <summary>The same authority over plain HTTP.</summary>
    public string HttpAuthority { get; private set; } = "";

    /// <summary>The issuer of the discovery document and of every token, whichever way it is reached.</summary>
    public string Issuer => HttpsAuthority;

    public TokenSigner Signer { get; private set; } = null!;

    /// <summary>How many times the discovery document was read (a validator reads it once, then caches it).</summary>
    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public static async Task<OidcAuthority> StartAsync()
    {
        var key = RSA.Create(2048);
        var otherKey = RSA.Create(2048);
        var certificate = SelfSignedLoopbackCertificate();
        var app = Loopback.WebApplication(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            kestrel.Listen(IPAddress.Loopback, 0);
        }).Build();
        var authority = new OidcAuthority(app, certificate, key, otherKey);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)) { KeyId = KeyId });
        app.MapGet(Tenant + "/.well-known/openid-configuration", (HttpContext context) =>
        {
            Interlocked.Increment(ref authority._discoveryRequests);
            var self = $"{context.Request.Scheme}://{context.Request.Host}{Tenant}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = authority.Issuer,
                ["jwks_uri"] = $"{context.Request.Scheme}://{context.Request.Host}/tenant/discovery/v2.0/keys",
                ["authorization_endpoint"] = self + "/oauth2/authorize",
                ["token_endpoint"] = self + "/oauth2/token",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        app.MapGet("/tenant/discovery/v2.0/keys", () => Results.Json(new { keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E } } }));
        await app.StartAsync();
        var urls = app.Urls.Select(u => new Uri(u)).ToList();
        authority.HttpsAuthority = $"https://127.0.0.1:{urls.Single(u => u.Scheme == "https").Port}{Tenant}";
        authority.HttpAuthority = $"http://127.0.0.1:{urls.Single(u => u.Scheme == "http").Port}{Tenant}";
        authority.Signer = new TokenSigner(
            authority.Issuer,
            Audience,
            new SigningCredentials(new RsaSecurityKey(key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
            new SigningCredentials(new RsaSecurityKey(otherKey) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
            new SigningCredentials(new RsaSecurityKey(key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha512));
        return authority;
    }

    /// <summary>
    /// Writes a CA bundle of the system's roots and this authority's certificate into <paramref name="directory"/>;
    /// a .NET process on Linux started with <c>SSL_CERT_FILE</c> set to it trusts the authority's HTTPS.
    /// </summary>
    public string WriteTrustBundle(string directory)
    {
        const string systemBundle = "/etc/ssl/certs/ca-certificates.crt";
        var path = Path.Combine(directory, "trusted-roots.pem");
        var system = File.Exists(systemBundle) ? File.ReadAllText(systemBundle) : "";
        File.WriteAllText(path, system + "\n" + _certificate.ExportCertificatePem() + "\n");
        return path;
    }

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
        _otherKey.Dispose();
    }
}
