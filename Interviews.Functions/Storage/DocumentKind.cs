using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Interviews.Functions.Storage;

/// <summary>A value as stored, with the ETag its next write must match.</summary>
public sealed record Stored<T>(T Value, string ETag);

/// <summary>A page of values of one kind, in the query's order; <see cref="Next"/> is null on the last page.</summary>
public sealed record StoredPage<T>(IReadOnlyList<Stored<T>> Items, DocumentCursor? Next);

/// <summary>
/// One kind of document that a typed store keeps in a container, and the only way typed stores read
/// and write documents: the kind's name, its id scheme (<c>{kind}:{key}</c> unless given), the storage
/// JSON (<see cref="StorageJson"/>), conditional writes by ETag (a create when there is no ETag yet, a
/// replace of that version otherwise) and the container's one failure policy: an unavailable store
/// throws <see cref="StoreUnavailableException"/>, a lost race is an answer (null, false or
/// <see cref="WriteOutcome.Failure"/>). Writes that must go together are built here
/// (<see cref="Write"/>, <see cref="Delete"/>) and written in one <see cref="IDocumentContainer.WriteAsync"/>.
/// </summary>
public sealed class DocumentKind<T>
    where T : class
{
    private readonly Func<string, string> _id;

    /// <param name="id">The document id of a key; default <c>{kind}:{key}</c>.</param>
    public DocumentKind(IDocumentContainer container, string kind, Func<string, string>? id = null)
    {
        Container = container;
        Name = kind;
        _id = id ?? (key => $"{kind}:{key}");
    }

    /// <summary>The container the documents live in.</summary>
    public IDocumentContainer Container { get; }

    /// <summary>The stored kind (<see cref="StoredDocument.Kind"/>).</summary>
    public string Name { get; }

    /// <summary>The document id of <paramref name="key"/>.</summary>
    public string Id(string key) => _id(key);

    /// <summary>The value stored under <paramref name="key"/>, or null when there is none of this kind.</summary>
    public async Task<Stored<T>?> ReadAsync(string partition, string key, CancellationToken cancellationToken) =>
        await Container.ReadAsync(partition, Id(key), cancellationToken) is { } document && document.Kind == Name
            ? new Stored<T>(Read(document), document.ETag)
            : null;

    /// <summary>
    /// The write that stores <paramref name="value"/> under <paramref name="key"/>: a create when
    /// <paramref name="etag"/> is null (it fails when the id is taken), else a replace of that version.
    /// </summary>
    public DocumentWrite Write(string key, T value, string? etag, TimeSpan? timeToLive = null, string? summary = null) =>
        new(etag is null ? WriteKind.Create : WriteKind.Replace, Id(key), Name, Serialize(value), etag, timeToLive) { Summary = summary };

    /// <summary>The write that deletes the document of <paramref name="key"/> (only at <paramref name="etag"/> when given).</summary>
    public DocumentWrite Delete(string key, string? etag = null) => DocumentWrite.Delete(Id(key), Name, etag);

    /// <summary>Writes one document alone (<see cref="Write"/>): its new ETag, or null when it lost a race.</summary>
    public async Task<string?> SaveAsync(string partition, string key, T value, string? etag, CancellationToken cancellationToken, TimeSpan? timeToLive = null)
    {
        var outcome = await Container.WriteAsync(partition, [Write(key, value, etag, timeToLive)], cancellationToken);
        return outcome.IsSuccess ? outcome.ETags[0] : null;
    }

    /// <summary>Deletes one document alone: false when it was gone already or changed since <paramref name="etag"/>.</summary>
    public async Task<bool> DeleteAsync(string partition, string key, string? etag, CancellationToken cancellationToken) =>
        (await Container.WriteAsync(partition, [Delete(key, etag)], cancellationToken)).IsSuccess;

    /// <summary>A page of this kind's documents of a partition matching every filter, ordered by <paramref name="orderBy"/> then id.</summary>
    public async Task<StoredPage<T>> QueryAsync(
        string partition, IReadOnlyList<FieldFilter> filters, string orderBy, int limit, DocumentCursor? after, CancellationToken cancellationToken)
    {
        var page = await Container.QueryAsync(new DocumentQuery(partition, Name, filters, orderBy, limit, after), cancellationToken);
        return new StoredPage<T>([.. page.Items.Select(d => new Stored<T>(Read(d), d.ETag))], page.Next);
    }

    /// <summary>Every document of this kind in a partition, page by page, with its id (a user's export and erasure; never a request path).</summary>
    public async IAsyncEnumerable<(string Id, Stored<T> Document)> InPartitionAsync(string partition, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        do
        {
            var page = await Container.ReadPartitionAsync(partition, after, 200, cancellationToken);
            foreach (var document in page.Items.Where(d => d.Kind == Name))
            {
                yield return (document.Id, new Stored<T>(Read(document), document.ETag));
            }

            after = page.Next?.Id;
        }
        while (after is not null);
    }

    /// <summary>The value of a stored document of this kind.</summary>
    public T Read(StoredDocument document) =>
        JsonSerializer.Deserialize<T>(document.Json, StorageJson.Options)
            ?? throw new InvalidOperationException($"Document {document.Id} of kind {Name} is empty.");

    /// <summary>The stored JSON of a value.</summary>
    public static string Serialize(T value) => JsonSerializer.Serialize(value, StorageJson.Options);
}
