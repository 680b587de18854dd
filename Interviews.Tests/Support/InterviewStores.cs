using Interviews.Domain;
using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using Interviews.Functions.Storage;

namespace Interviews.Tests.Support;

/// <summary>Interview stores over a test's container, and the two saves tests make most: a new interview, and a change at an ETag.</summary>
internal static class InterviewStores
{
    public static InterviewStore Over(IDocumentContainer container, StorageSettings? settings = null) =>
        new(container, new EventCatalog([]), settings ?? new StorageSettings());

    public static Task<InterviewSave> CreateAsync(this InterviewStore store, Interview interview, CancellationToken cancellationToken) =>
        store.SaveAsync(interview, null, [], cancellationToken);

    public static Task<InterviewSave> SaveAsync(this InterviewStore store, Interview interview, string etag, CancellationToken cancellationToken) =>
        store.SaveAsync(interview, etag, [], cancellationToken);
}
