using System.Text.Json;
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

/// <summary>The interviews' records a user's export lists as stored: the events still kept (the outbox, until their time to live), the idempotency records and the imported invitations' links.</summary>
public sealed class InterviewRecordKinds : IExportedRecordKinds
{
    public IReadOnlyList<string> Kinds { get; } = [EventDocument.Kind, Idempotency.Kind, InvitationLinks.Kind];
}
