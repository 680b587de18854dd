using System.Diagnostics;
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
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{azurite.Port}/devstoreaccount1;";
        var blob = new BlobContainerClient(connection, "dataprotection").GetBlobClient("keys.xml");

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
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{azurite.Port}/devstoreaccount1;";
        var blob = new BlobContainerClient(connection, "dataprotection").GetBlobClient("keys.xml");
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

    /// <summary>Azurite's blob service from Calendar/node on a free loopback port, in memory.</summary>
    private sealed class Azurite : IAsyncDisposable
    {
        private readonly Process _process;

        private Azurite(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<Azurite> StartAsync()
        {
            var main = Path.Combine(await NodeTools.RequireAsync(), "node_modules", "azurite", "dist", "src", "blob", "main.js");

            var port = Loopback.FreePort();
            var start = new ProcessStartInfo("node", [main, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent"])
            {
                WorkingDirectory = NodeTools.Directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start)!;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("successfully listens", StringComparison.Ordinal) == true)
                {
                    ready.TrySetResult();
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            return new Azurite(process, port);
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
