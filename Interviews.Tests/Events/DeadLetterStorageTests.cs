using Interviews.Functions.Events;
using Interviews.Functions.Hosting;
using Interviews.Functions.Storage;
using Interviews.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Interviews.Tests.Events;

/// <summary>How dead letters are stored: the event's user beside the partition key, and letters of the earlier shape still found.</summary>
public sealed class DeadLetterStorageTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_letter_stores_the_events_user_as_owner_and_a_letter_of_the_earlier_shape_is_still_found_by_its_user()
    {
        using var folder = new TestFolder();
        using var file = new SqliteDocumentContainer(folder.Database(), StorageIndexes.Documents, new FakeTimeProvider());
        var letters = new DeadLetters(file, new EventCatalog([]), new FakeTimeProvider());
        var user = Guid.NewGuid();
        var parked = new DeliveredEvent(Guid.NewGuid(), "InterviewScheduled", Guid.NewGuid(), user, DateTimeOffset.UnixEpoch, System.Text.Json.JsonSerializer.SerializeToElement(new { }));
        await letters.ParkAsync("calendar", parked, 5, new InvalidOperationException("boom"), Token);
        var stored = await file.ReadAsync(DeadLetters.Partition, DeadLetters.Id("calendar", parked.EventId), Token);
        Assert.Contains($"\"ownerId\":\"{user:D}\"", stored!.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"userId\"", stored.Json, StringComparison.Ordinal);

        // Written before the user moved to ownerId (the embedded store accepted it as userId).
        var legacyEvent = Guid.NewGuid();
        var legacy = $$"""{"handler":"insights","eventId":"{{legacyEvent:D}}","type":"InterviewScheduled","interviewId":null,"userId":"{{user:D}}","occurredAt":"2026-01-01T00:00:00+00:00","data":{},"attempts":5,"error":"x","parkedAt":"2026-01-01T00:00:00+00:00","replayedAt":null}""";
        await file.WriteAsync(DeadLetters.Partition, [DocumentWrite.Create(DeadLetters.Id("insights", legacyEvent), DeadLetters.Kind, legacy, null)], Token);

        var mine = await letters.AllAsync(Token).Where(l => l.Letter.UserId == user).Select(l => l.Letter.EventId).ToListAsync(Token);
        Assert.Equal(new[] { parked.EventId, legacyEvent }.Order(), mine.Order());
    }
}
