using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Interviews.Functions.Calendar;
using Interviews.Tests.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Interviews.Tests.Calendar;

/// <summary>
/// The key ring's envelope encryption against a fake Key Vault on loopback (WireMock) that really wraps and
/// unwraps with RSA-OAEP-256 keys it holds, one per key version. Not tested against a real vault.
/// </summary>
public sealed class KeyVaultXmlEncryptionTests : IDisposable
{
    private static readonly XElement KeyXml = XElement.Parse(
        "<key id=\"2b1b5e0a-0000-0000-0000-000000000001\" version=\"1\"><descriptor><masterKey><value>c2VjcmV0LW1hc3Rlci1rZXktbWF0ZXJpYWwtZm9yLXRoZS10ZXN0</value></masterKey></descriptor></key>");

    private readonly FakeKeyVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public void Encrypt_then_decrypt_gives_the_same_xml()
    {
        var wrapper = _vault.Wrapper();
        var info = new KeyVaultXmlEncryptor(wrapper).Encrypt(KeyXml);

        Assert.Equal(typeof(KeyVaultXmlDecryptor), info.DecryptorType);
        var decrypted = Decryptor(wrapper).Decrypt(info.EncryptedElement);
        Assert.True(XNode.DeepEquals(KeyXml, decrypted));
        Assert.Equal(["wrapkey v1", "unwrapkey v1"], _vault.Operations);
    }

    [Fact]
    public void The_encrypted_element_holds_no_plaintext_of_the_key()
    {
        var encrypted = new KeyVaultXmlEncryptor(_vault.Wrapper()).Encrypt(KeyXml).EncryptedElement;
        var text = encrypted.ToString();

        Assert.Equal(KeyVaultXmlEncryptor.Namespace + "encryptedKey", encrypted.Name);
        foreach (var part in new[] { "kid", "wrappedKey", "nonce", "tag", "value" })
        {
            Assert.NotNull(encrypted.Element(KeyVaultXmlEncryptor.Namespace + part));
        }

        Assert.StartsWith($"{_vault.Url}/keys/dataprotection/v1", (string)encrypted.Element(KeyVaultXmlEncryptor.Namespace + "kid")!, StringComparison.Ordinal);
        Assert.DoesNotContain("masterKey", text, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LW1hc3Rlci1rZXktbWF0ZXJpYWwtZm9yLXRoZS10ZXN0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("descriptor", text, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeKeyVault.Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_wrapped_before_a_rotation_still_decrypts_with_its_own_key_version()
    {
        var wrapper = _vault.Wrapper();
        var before = new KeyVaultXmlEncryptor(wrapper).Encrypt(KeyXml).EncryptedElement;
        _vault.Rotate();
        var after = new KeyVaultXmlEncryptor(wrapper).Encrypt(KeyXml).EncryptedElement;

        var kidBefore = (string)before.Element(KeyVaultXmlEncryptor.Namespace + "kid")!;
        var kidAfter = (string)after.Element(KeyVaultXmlEncryptor.Namespace + "kid")!;
        Assert.EndsWith("/v1", kidBefore, StringComparison.Ordinal);
        Assert.EndsWith("/v2", kidAfter, StringComparison.Ordinal);

        Assert.True(XNode.DeepEquals(KeyXml, Decryptor(wrapper).Decrypt(before)));
        Assert.True(XNode.DeepEquals(KeyXml, Decryptor(wrapper).Decrypt(after)));
        Assert.Contains("unwrapkey v1", _vault.Operations);
        Assert.Contains("unwrapkey v2", _vault.Operations);
    }

    [Fact]
    public void A_tampered_value_fails()
    {
        var wrapper = _vault.Wrapper();
        var encrypted = new KeyVaultXmlEncryptor(wrapper).Encrypt(KeyXml).EncryptedElement;
        var value = encrypted.Element(KeyVaultXmlEncryptor.Namespace + "value")!;
        var bytes = Convert.FromBase64String(value.Value);
        bytes[0] ^= 0x01;
        value.Value = Convert.ToBase64String(bytes);

        Assert.ThrowsAny<CryptographicException>(() => Decryptor(wrapper).Decrypt(encrypted));
    }

    [Fact]
    public void A_tampered_wrapped_key_fails_at_the_vault()
    {
        var wrapper = _vault.Wrapper();
        var encrypted = new KeyVaultXmlEncryptor(wrapper).Encrypt(KeyXml).EncryptedElement;
        var wrapped = encrypted.Element(KeyVaultXmlEncryptor.Namespace + "wrappedKey")!;
        var bytes = Convert.FromBase64String(wrapped.Value);
        bytes[^1] ^= 0x01;
        wrapped.Value = Convert.ToBase64String(bytes);

        var error = Assert.ThrowsAny<CryptographicException>(() => Decryptor(wrapper).Decrypt(encrypted));
        Assert.Contains("unwrapkey", error.Message, StringComparison.Ordinal);
        Assert.Contains("400", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeKeyVault.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kid_outside_the_configured_vault_is_not_called()
    {
        var wrapper = _vault.Wrapper();
        var encrypted = new KeyVaultXmlEncryptor(wrapper).Encrypt(KeyXml).EncryptedElement;
        encrypted.Element(KeyVaultXmlEncryptor.Namespace + "kid")!.Value = "https://attacker.example/keys/dataprotection/v1";

        Assert.ThrowsAny<CryptographicException>(() => Decryptor(wrapper).Decrypt(encrypted));
        Assert.Equal(["wrapkey v1"], _vault.Operations);
    }

    [Fact]
    public void A_refused_token_fails_with_the_status_and_no_token()
    {
        var wrapper = _vault.Wrapper(token: "wrong-token");
        var error = Assert.ThrowsAny<CryptographicException>(() => new KeyVaultXmlEncryptor(wrapper).Encrypt(KeyXml));
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_protection_with_the_encryptor_stores_no_master_key_and_another_instance_unprotects()
    {
        var repository = new MemoryXmlRepository();
        var first = Protector(repository, _vault.Wrapper());
        var secret = first.Protect("access-token-text");

        var stored = Assert.Single(repository.GetAllElements());
        var text = stored.ToString();
        Assert.Contains("encryptedSecret", text, StringComparison.Ordinal);
        Assert.Contains(KeyVaultXmlEncryptor.Namespace.NamespaceName, text, StringComparison.Ordinal);
        Assert.Contains(typeof(KeyVaultXmlDecryptor).Name, text, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", text, StringComparison.Ordinal);
        Assert.DoesNotContain("access-token-text", text, StringComparison.Ordinal);

        // A second instance has only the stored ring: Data Protection activates KeyVaultXmlDecryptor, which unwraps.
        var second = Protector(repository, _vault.Wrapper());
        Assert.Equal("access-token-text", second.Unprotect(secret));
        Assert.Contains("unwrapkey v1", _vault.Operations);
    }

    private static KeyVaultXmlDecryptor Decryptor(KeyVaultKeyWrapper wrapper) =>
        new(new ServiceCollection().AddSingleton(wrapper).BuildServiceProvider());

    private static IDataProtector Protector(IXmlRepository repository, KeyVaultKeyWrapper wrapper)
    {
        var services = new ServiceCollection();
        services.AddSingleton(wrapper);
        services.AddDataProtection().SetApplicationName("Interviews");
        services.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = repository;
            o.XmlEncryptor = new KeyVaultXmlEncryptor(wrapper);
        });
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector(CalendarStore.TokenPurpose);
    }

    private sealed class MemoryXmlRepository : IXmlRepository
    {
        private readonly List<XElement> _elements = [];

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            lock (_elements)
            {
                return [.. _elements.Select(e => new XElement(e))];
            }
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            lock (_elements)
            {
                _elements.Add(new XElement(element));
            }
        }
    }

    /// <summary>
    /// Key Vault's wrapkey/unwrapkey for one key, <c>dataprotection</c>, with real RSA-OAEP-256: a versionless
    /// URI wraps with the current version; a versioned one uses that version. Requires the bearer token.
    /// </summary>
    private sealed class FakeKeyVault : IDisposable
    {
        public const string Token = "fake-vault-token";
        private readonly Dictionary<string, RSA> _versions = new(StringComparer.Ordinal);
        private readonly WireMockServer _server;
        private readonly HttpClient _http = new();
        private string _current = "";

        public FakeKeyVault()
        {
            Rotate();
            _server = Loopback.WireMock();
            _server.Given(Request.Create().UsingPost().WithPath(new WildcardMatcher("/keys/*")))
                .RespondWith(Response.Create().WithCallback(request =>
                {
                    lock (_versions)
                    {
                        return Handle(request);
                    }
                }));
        }

        public string Url => _server.Url!;

        public List<string> Operations { get; } = [];

        public void Rotate()
        {
            lock (_versions)
            {
                _current = $"v{_versions.Count + 1}";
                _versions[_current] = RSA.Create(3072);
            }
        }

        public KeyVaultKeyWrapper Wrapper(string token = Token) =>
            new(new Uri($"{Url}/keys/dataprotection"), _http, _ => token);

        public void Dispose()
        {
            _http.Dispose();
            _server.Stop();
            _server.Dispose();
            foreach (var key in _versions.Values)
            {
                key.Dispose();
            }
        }

        private ResponseMessage Handle(IRequestMessage request)
        {
            var authorization = request.Headers?.TryGetValue("Authorization", out var values) == true ? values.FirstOrDefault() : null;
            if (authorization != $"Bearer {Token}")
            {
                return Json(401, new JsonObject { ["error"] = new JsonObject { ["code"] = "Unauthorized" } });
            }

            if (request.Query?.TryGetValue("api-version", out var version) != true || version?.FirstOrDefault() != "7.4")
            {
                return Json(400, new JsonObject { ["error"] = new JsonObject { ["code"] = "BadParameter" } });
            }

            // /keys/dataprotection[/version]/operation
            var segments = request.Path.Trim('/').Split('/');
            if (segments is not (["keys", "dataprotection", _] or ["keys", "dataprotection", _, _]))
            {
                return Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = "KeyNotFound" } });
            }

            var keyVersion = segments.Length == 4 ? segments[2] : _current;
            var operation = segments[^1];
            var body = JsonNode.Parse(request.Body ?? "{}")!;
            if (!_versions.TryGetValue(keyVersion, out var rsa) || (string?)body["alg"] != "RSA-OAEP-256")
            {
                return Json(400, new JsonObject { ["error"] = new JsonObject { ["code"] = "BadParameter" } });
            }

            Operations.Add($"{operation} {keyVersion}");
            var input = Base64Url.DecodeFromChars((string)body["value"]!);
            byte[] output;
            try
            {
                output = operation switch
                {
                    "wrapkey" => rsa.Encrypt(input, RSAEncryptionPadding.OaepSHA256),
                    "unwrapkey" => rsa.Decrypt(input, RSAEncryptionPadding.OaepSHA256),
                    _ => throw new CryptographicException("unknown operation"),
                };
            }
            catch (CryptographicException)
            {
                return Json(400, new JsonObject { ["error"] = new JsonObject { ["code"] = "BadParameter" } });
            }

            return Json(200, new JsonObject { ["kid"] = $"{Url}/keys/dataprotection/{keyVersion}", ["value"] = Base64Url.EncodeToString(output) });
        }

        private static ResponseMessage Json(int status, JsonNode body)
        {
            var response = new ResponseMessage
            {
                StatusCode = status,
                BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
            };
            response.AddHeader("Content-Type", "application/json; charset=utf-8");
            return response;
        }
    }
}
