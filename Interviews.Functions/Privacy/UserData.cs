using System.Text.Json;
using Interviews.Functions.Events;
using Interviews.Functions.Http;
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

            // A document went or changed meanwhile (TTL, a last request of the user): read again.
            failures += outcome.IsSuccess ? 0 : 1;
        }

        throw new InvalidOperationException($"The partition of user {userId} could not be emptied; run the erasure again.");
    }
}

/// <summary>Kinds of documents in the user's partition that the export lists as they are stored (a feature's own records).</summary>
public interface IExportedRecordKinds
{
    IReadOnlyList<string> Kinds { get; }
}

/// <summary>
/// The records of the user's partition that features name (<see cref="IExportedRecordKinds"/>: the events
/// still kept, idempotency records, insights counters), as stored: <c>{"kind", "id", "document"}</c>.
/// </summary>
public sealed class StoredRecordsExporter(IDocumentContainer documents, IEnumerable<IExportedRecordKinds> kinds) : IUserDataExporter
{
    private readonly HashSet<string> _kinds = new(kinds.SelectMany(k => k.Kinds), StringComparer.Ordinal);

    public string Section => "records";

    public async Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        writer.WriteStartArray();
        string? after = null;
        do
        {
            var page = await documents.ReadPartitionAsync(userId.ToString("D"), after, 200, cancellationToken);
            foreach (var document in page.Items.Where(d => _kinds.Contains(d.Kind)))
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

/// <summary>Parked events of the user (they hold the event's data), in the shared dead-letters partition.</summary>
public sealed class DeadLettersEraser(DeadLetters deadLetters) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var mine = await deadLetters.AllAsync(cancellationToken).Where(l => l.Letter.UserId == userId).Select(l => l.Id).ToListAsync(cancellationToken);
        await deadLetters.DeleteAsync(mine, cancellationToken);
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
