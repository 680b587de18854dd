using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Interviews.Functions.Calendar;

/// <summary>
/// The Data Protection key ring in one blob, so that every instance of the app reads the same keys (the
/// package that does this, Azure.Extensions.AspNetCore.DataProtection.Blobs, is not available here).
/// The blob holds a <c>&lt;repository&gt;</c> element with every key element, as that package writes it.
/// A new key is added with an optimistic write (If-Match the ETag read, or If-None-Match * for the first
/// key), retried on a conflict, so that two instances adding keys at once lose neither.
/// </summary>
public sealed class BlobXmlRepository(BlobClient blob) : IXmlRepository
{
    private const int MaxAttempts = 10;

    public IReadOnlyCollection<XElement> GetAllElements() => [.. Read().Document?.Root?.Elements() ?? []];

    public void StoreElement(XElement element, string friendlyName)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (document, etag) = Read();
            document ??= new XDocument(new XElement("repository"));
            document.Root!.Add(new XElement(element));
            var conditions = etag is { } current ? new BlobRequestConditions { IfMatch = current } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                using var content = new MemoryStream();
                document.Save(content, SaveOptions.DisableFormatting);
                content.Position = 0;
                blob.Upload(content, new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/xml; charset=utf-8" } });
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another instance wrote meanwhile: read again and add to its version.
            }
            catch (RequestFailedException e) when (e.Status == 404 && attempt < MaxAttempts)
            {
                blob.GetParentBlobContainerClient().CreateIfNotExists();
            }
        }

        throw new InvalidOperationException("The Data Protection key ring blob kept changing while a key was added.");
    }

    private (XDocument? Document, ETag? ETag) Read()
    {
        try
        {
            var downloaded = blob.DownloadContent().Value;
            using var stream = downloaded.Content.ToStream();
            return (XDocument.Load(stream), downloaded.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, null);
        }
    }
}
