using System.Xml.Linq;
using Azure.Storage.Blobs;
using Interviews.Functions.Calendar;
using Interviews.Tests.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Calendar;

/// <summary>The Data Protection key ring in a blob, against Azurite (npm) on loopback: two app instances share keys, so either decrypts the other's tokens.</summary>
public sealed class DataProtectionKeyRingTests
{
    [Fact]
    public async Task Two_instances_sharing_the_blob_key_ring_read_each_others_tokens()
    {
        await using var azurite = await Azurite.StartAsync();
        var blob = new BlobContainerClient(azurite.ConnectionString, "dataprotection").GetBlobClient("keys.xml");

        var first = Protector(new BlobXmlRepository(blob));
        var secret = first.Protect("access-token-text");
        var second = Protector(new BlobXmlRepository(blob));
        Assert.Equal("access-token-text", second.Unprotect(secret));

        // The blob holds the key ring, one key, and no token.
        var stored = XDocument.Load((await blob.DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToStream()).ToString();
        Assert.Single(XDocument.Parse(stored).Root!.Elements("key"));
        Assert.DoesNotContain("access-token-text", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_key_writes_keep_every_key()
    {
        await using var azurite = await Azurite.StartAsync();
        var blob = new BlobContainerClient(azurite.ConnectionString, "dataprotection").GetBlobClient("keys.xml");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => new BlobXmlRepository(blob).StoreElement(new XElement("key", new XAttribute("id", i)), $"k{i}"), TestContext.Current.CancellationToken)));
        Assert.Equal(8, new BlobXmlRepository(blob).GetAllElements().Count);
    }

    private static IDataProtector Protector(BlobXmlRepository repository)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("Interviews");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = repository);
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector(CalendarStore.TokenPurpose);
    }
}
