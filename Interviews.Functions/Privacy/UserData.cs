using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Events;
using Interviews.Functions.Http;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Privacy;

/// <summary>
/// Writes one feature's part of a user's export: the value of the top-level property <see cref="Section"/>.
/// Each feature registers its own (the calendar feature: connections without tokens, ICS feeds); the
/// export calls them in registration order. Write page by page: a user may have 10,000 interviews.
/// </summary>
public interface IUserDataExporter
{
    string Section { get; }

    Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken);
}

/// <summary>
/// Erases one feature's data of a user wherever it lives (another container, a provider's tokens to
/// revoke). Each feature registers its own; erasure calls them in registration order, then deletes the
/// user's partition last, so that what an eraser needs to find its data (reminder plans) is still
/// there. An eraser must be idempotent: an erasure that failed half-way is simply run again.
/// </summary>
public interface IUserDataEraser
{
    Task EraseAsync(Guid userId, CancellationToken cancellationToken);
}

/// <summary>A user's export and erasure: the registered exporters and erasers, and the user's partition.</summary>
public sealed class UserData(
    IDocumentContainer documents, IEnumerable<IUserDataExporter> exporters, IEnumerable<IUserDataEraser> erasers, TimeProvider time)
{
    /// <summary>Deletes are batched within the partition; Cosmos DB takes at most 100 writes per batch.</summary>
    public const int DeleteBatch = 100;

    public async Task ExportAsync(Guid userId, Stream output, CancellationToken cancellationToken)
    {
        // The serializer flushes its writer synchronously; HTTP response streams only take asynchronous
        // writes. The adapter keeps synchronous writes until the exporters' FlushAsync after each page.
        await using var buffered = new FlushOnAsyncStream(output);
        await using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { Encoder = ApiJson.Options.Encoder });
        writer.WriteStartObject();
        writer.WriteString("userId", userId);
        writer.WritePropertyName("exportedAt");
        JsonSerializer.Serialize(writer, time.GetUtcNow(), ApiJson.Options);
        foreach (var exporter in exporters)
        {
            writer.WritePropertyName(exporter.Section);
            await exporter.WriteAsync(userId, writer, cancellationToken);
            await writer.FlushAsync(cancellationToken);
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        foreach (var eraser in erasers)
        {
            await eraser.EraseAsync(userId, cancellationToken);
        }

        // Last: every remaining document of the partition — interviews, events, plans, settings,
        // idempotency records and any kind a feature keeps there — page by page.
        var partition = userId.ToString("D");
        for (var failures = 0; failures < 20;)
        {
            var page = await documents.ReadPartitionAsync(partition, null, DeleteBatch, cancellationToken);
            if (page.Items.Count == 0)
            {
                return;
            }

            var outcome = await documents.WriteAsync(partition, [.. page.Items.Select(d => DocumentWrite.Delete(d.Id, d.Kind))], cancellationToken);
            if (outcome.Failure == WriteFailure.Unavailable)
            {
                throw new StoreUnavailableException("The store is unavailable.");
            }

            // A document went or changed meanwhile (TTL, a last request of the user): read again.
            failures += outcome.IsSuccess ? 0 : 1;
        }

        throw new InvalidOperationException($"The partition of user {userId} could not be emptied; run the erasure again.");
    }

    /// <summary>Every document of one kind in the user's partition, page by page.</summary>
    internal static async IAsyncEnumerable<StoredDocument> OfKindAsync(
        IDocumentContainer container, Guid userId, string kind, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        do
        {
            var page = await container.ReadPartitionAsync(userId.ToString("D"), after, 200, cancellationToken);
            foreach (var document in page.Items.Where(d => d.Kind == kind))
            {
                yield return document;
            }

            after = page.Next?.Id;
        }
        while (after is not null);
    }
}

/// <summary>The user's interviews in full (details, preparation, completion, reschedule history, thank-you note), in time order.</summary>
public sealed class InterviewsExporter(InterviewStore store) : IUserDataExporter
{
    public string Section => "interviews";

    public async Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        writer.WriteStartArray();
        DocumentCursor? cursor = null;
        do
        {
            var page = await store.ListAsync(userId, new InterviewQuery(Limit: 200, After: cursor), cancellationToken);
            foreach (var interview in page.Items)
            {
                JsonSerializer.Serialize(writer, interview.ToSnapshot(), ApiJson.Options);
            }

            await writer.FlushAsync(cancellationToken);
            cursor = page.Next;
        }
        while (cursor is not null);

        writer.WriteEndArray();
    }
}

/// <summary>
/// The domain events still kept (the outbox, until their time to live), the idempotency records and the
/// monthly insights counters, as stored: <c>{"kind", "id", "document"}</c>.
/// </summary>
public sealed class StoredRecordsExporter(IDocumentContainer documents) : IUserDataExporter
{
    private static readonly string[] Kinds = [InterviewStore.EventKind, IdempotencyStore.Kind, InsightsStore.Kind];

    public string Section => "records";

    public async Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        writer.WriteStartArray();
        string? after = null;
        do
        {
            var page = await documents.ReadPartitionAsync(userId.ToString("D"), after, 200, cancellationToken);
            foreach (var document in page.Items.Where(d => Kinds.Contains(d.Kind)))
            {
                writer.WriteStartObject();
                writer.WriteString("kind", document.Kind);
                writer.WriteString("id", document.Id);
                writer.WritePropertyName("document");
                using var body = JsonDocument.Parse(document.Json);
                body.WriteTo(writer);
                writer.WriteEndObject();
            }

            await writer.FlushAsync(cancellationToken);
            after = page.Next?.Id;
        }
        while (after is not null);

        writer.WriteEndArray();
    }
}

/// <summary>The user's notification settings (null when they never set any) and the reminders planned for their interviews.</summary>
public sealed class RemindersExporter(IDocumentContainer documents, NotificationSettingsStore settings, ReminderStore reminders) : IUserDataExporter
{
    public string Section => "reminders";

    public async Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("notificationSettings");
        var (current, etag) = await settings.GetAsync(userId, cancellationToken);
        if (etag is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, current, ApiJson.Options);
        }

        writer.WriteStartArray("reminders");
        await foreach (var document in UserData.OfKindAsync(documents, userId, ReminderStore.PlanKind, cancellationToken))
        {
            var plan = JsonSerializer.Deserialize<ReminderPlan>(document.Json, StorageJson.Options)!;
            foreach (var reminder in await reminders.OfPlanAsync(plan, cancellationToken))
            {
                JsonSerializer.Serialize(writer, reminder, ApiJson.Options);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary>The user's reminders, in the reminders container (partitioned by hour), found through the plans in the user's partition.</summary>
public sealed class RemindersEraser(IDocumentContainer documents, ReminderStore reminders) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        await foreach (var document in UserData.OfKindAsync(documents, userId, ReminderStore.PlanKind, cancellationToken))
        {
            await reminders.DeleteAllAsync(JsonSerializer.Deserialize<ReminderPlan>(document.Json, StorageJson.Options)!, cancellationToken);
        }
    }
}

/// <summary>Parked events of the user (they hold the event's data), in the shared dead-letters partition.</summary>
public sealed class DeadLettersEraser(IDocumentContainer documents) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var mine = new List<StoredDocument>();
        DocumentCursor? cursor = null;
        do
        {
            var page = await documents.QueryAsync(new DocumentQuery(DeadLetters.Partition, DeadLetters.Kind, [], "parkedAt", 200, cursor), cancellationToken);
            mine.AddRange(page.Items.Where(d => JsonSerializer.Deserialize<DeadLetter>(d.Json, StorageJson.Options)!.UserId == userId));
            cursor = page.Next;
        }
        while (cursor is not null);

        foreach (var chunk in mine.Chunk(UserData.DeleteBatch))
        {
            var outcome = await documents.WriteAsync(DeadLetters.Partition, [.. chunk.Select(d => DocumentWrite.Delete(d.Id, d.Kind))], cancellationToken);
            if (outcome.Failure == WriteFailure.Unavailable)
            {
                throw new StoreUnavailableException("The store is unavailable.");
            }
        }
    }
}

/// <summary>A write-only stream that keeps synchronous writes in memory and passes them on at the next asynchronous write or flush.</summary>
internal sealed class FlushOnAsyncStream(Stream inner) : Stream
{
    private readonly MemoryStream _pending = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        // Nothing to do synchronously: the pending bytes go out at the next asynchronous flush.
    }

    public override async ValueTask DisposeAsync()
    {
        await DrainAsync(CancellationToken.None);
        await _pending.DisposeAsync();
        await base.DisposeAsync();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length > 0)
        {
            await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
            _pending.SetLength(0);
        }
    }
}
