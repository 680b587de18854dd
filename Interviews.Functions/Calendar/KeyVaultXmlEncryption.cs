using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Xml.Linq;
using Azure.Core;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Calendar;

/// <summary>
/// Key Vault's <c>wrapkey</c> and <c>unwrapkey</c> operations over its REST API (api-version 7.4,
/// RSA-OAEP-256), because Azure.Security.KeyVault.Keys is not available here. One bearer token per call
/// (the credential caches it); a non-success answer throws. Neither keys nor tokens are ever logged or put
/// in an exception message.
/// </summary>
public sealed class KeyVaultKeyWrapper
{
    public const string HttpClientName = "KeyVault";
    public const string Scope = "https://vault.azure.net/.default";
    private const string Algorithm = "RSA-OAEP-256";
    private const string ApiVersion = "7.4";

    private readonly HttpClient _http;
    private readonly Func<CancellationToken, string> _token;

    /// <summary>Wraps with <paramref name="keyId"/>, a Key Vault key URI, versionless (the current version wraps) or not.</summary>
    public KeyVaultKeyWrapper(Uri keyId, HttpClient http, TokenCredential credential)
        : this(keyId, http, cancellationToken => credential.GetToken(new TokenRequestContext([Scope]), cancellationToken).Token)
    {
    }

    /// <summary>For tests: any base address (a fake vault on loopback) and any token source.</summary>
    internal KeyVaultKeyWrapper(Uri keyId, HttpClient http, Func<CancellationToken, string> token)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        KeyId = keyId;
        _http = http;
        _token = token;
    }

    public Uri KeyId { get; }

    /// <summary>Wraps <paramref name="key"/>; returns the versioned key id that wrapped it and the wrapped key.</summary>
    public (string Kid, byte[] WrappedKey) Wrap(byte[] key)
    {
        var result = Call(KeyId, "wrapkey", key);
        if (string.IsNullOrEmpty(result.Kid))
        {
            throw new CryptographicException($"Key Vault's wrapkey answer for key {KeyId} has no kid.");
        }

        return (result.Kid, result.Bytes);
    }

    /// <summary>
    /// Unwraps with the key version that wrapped (so that keys wrapped before a rotation still unwrap). The
    /// stored <paramref name="kid"/> must be in the configured key's vault: the bearer token is only sent there.
    /// </summary>
    public byte[] Unwrap(string kid, byte[] wrappedKey)
    {
        if (!Uri.TryCreate(kid, UriKind.Absolute, out var uri) || Uri.Compare(uri, KeyId, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new CryptographicException($"A Data Protection key was wrapped by a key outside the configured vault ({KeyId.GetLeftPart(UriPartial.Authority)}); it is not sent there.");
        }

        return Call(uri, "unwrapkey", wrappedKey).Bytes;
    }

    private KeyOperationResult Call(Uri key, string operation, byte[] value)
    {
        var target = new Uri($"{key.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{operation}?api-version={ApiVersion}");
        using var request = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = JsonContent.Create(new KeyOperation(Algorithm, Base64Url.EncodeToString(value)), KeyVaultJson.Default.KeyOperation),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token(CancellationToken.None));
        using var response = _http.Send(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new CryptographicException($"Key Vault's {operation} for key {key.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        using var stream = response.Content.ReadAsStream();
        var answer = System.Text.Json.JsonSerializer.Deserialize(stream, KeyVaultJson.Default.KeyOperationAnswer);
        if (answer?.Value is not { Length: > 0 } encoded)
        {
            throw new CryptographicException($"Key Vault's {operation} answer for key {key.GetLeftPart(UriPartial.Path)} has no value.");
        }

        return new KeyOperationResult(answer.Kid, Base64Url.DecodeFromChars(encoded));
    }

    private sealed record KeyOperationResult(string? Kid, byte[] Bytes);
}

internal sealed record KeyOperation([property: JsonPropertyName("alg")] string Alg, [property: JsonPropertyName("value")] string Value);

internal sealed record KeyOperationAnswer([property: JsonPropertyName("kid")] string? Kid, [property: JsonPropertyName("value")] string? Value);

[JsonSerializable(typeof(KeyOperation))]
[JsonSerializable(typeof(KeyOperationAnswer))]
internal sealed partial class KeyVaultJson : JsonSerializerContext;

/// <summary>
/// Envelope encryption of a Data Protection key element: a fresh 256-bit data key encrypts the element
/// (AES-256-GCM, 12-byte nonce, 16-byte tag) and Key Vault wraps the data key (RSA-OAEP-256).
/// </summary>
public sealed class KeyVaultXmlEncryptor(KeyVaultKeyWrapper wrapper) : IXmlEncryptor
{
    public static readonly XNamespace Namespace = "urn:interviews:dataprotection:keyvault:v1";
    internal const int KeySize = 32;
    internal const int NonceSize = 12;
    internal const int TagSize = 16;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var dataKey = RandomNumberGenerator.GetBytes(KeySize);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            var tag = new byte[TagSize];
            var ciphertext = new byte[plaintext.Length];
            using (var aes = new AesGcm(dataKey, TagSize))
            {
                aes.Encrypt(nonce, plaintext, ciphertext, tag);
            }

            var (kid, wrapped) = wrapper.Wrap(dataKey);
            var element = new XElement(
                Namespace + "encryptedKey",
                new XComment(" This key is encrypted with a data key wrapped by a Key Vault key. "),
                new XElement(Namespace + "kid", kid),
                new XElement(Namespace + "wrappedKey", Convert.ToBase64String(wrapped)),
                new XElement(Namespace + "nonce", Convert.ToBase64String(nonce)),
                new XElement(Namespace + "tag", Convert.ToBase64String(tag)),
                new XElement(Namespace + "value", Convert.ToBase64String(ciphertext)));
            return new EncryptedXmlInfo(element, typeof(KeyVaultXmlDecryptor));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>
/// Decrypts what <see cref="KeyVaultXmlEncryptor"/> wrote. Data Protection activates it by type name with
/// the application's services; it unwraps the data key with the stored kid through the registered
/// <see cref="KeyVaultKeyWrapper"/>.
/// </summary>
public sealed class KeyVaultXmlDecryptor : IXmlDecryptor
{
    private readonly IServiceProvider _services;

    public KeyVaultXmlDecryptor(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
    }

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var wrapper = _services.GetService<KeyVaultKeyWrapper>()
            ?? throw new InvalidOperationException($"The key ring holds keys wrapped by a Key Vault key but setting {DataProtectionSettings.Section}:KeyVaultKeyId is not set.");
        var ns = KeyVaultXmlEncryptor.Namespace;
        string Part(string name) => (string?)encryptedElement.Element(ns + name)
            ?? throw new CryptographicException($"A Key Vault encrypted Data Protection key has no <{name}>.");

        var nonce = Convert.FromBase64String(Part("nonce"));
        var tag = Convert.FromBase64String(Part("tag"));
        var ciphertext = Convert.FromBase64String(Part("value"));
        if (nonce.Length != KeyVaultXmlEncryptor.NonceSize || tag.Length != KeyVaultXmlEncryptor.TagSize)
        {
            throw new CryptographicException("A Key Vault encrypted Data Protection key has a nonce or tag of the wrong size.");
        }

        var dataKey = wrapper.Unwrap(Part("kid"), Convert.FromBase64String(Part("wrappedKey")));
        var plaintext = new byte[ciphertext.Length];
        try
        {
            if (dataKey.Length != KeyVaultXmlEncryptor.KeySize)
            {
                throw new CryptographicException("Key Vault unwrapped a data key of the wrong size.");
            }

            using (var aes = new AesGcm(dataKey, KeyVaultXmlEncryptor.TagSize))
            {
                aes.Decrypt(nonce, ciphertext, tag, plaintext);
            }

            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
