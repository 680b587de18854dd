using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Events;
using Interviews.Functions.Http;
using Interviews.Functions.Privacy;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Interviews;

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
/// The domain events still kept (the outbox, until their time to live) and the idempotency records,
/// as stored: <c>{"kind", "id", "document"}</c>.
/// </summary>
public sealed class StoredRecordsExporter(IDocumentContainer documents) : IUserDataExporter
{
    private static readonly string[] Kinds = [EventDocument.Kind, Idempotency.Kind];

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
