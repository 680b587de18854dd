using System.Text.Json;

namespace Interviews.Functions.Events;

/// <summary>The stored form of a domain event (the outbox record that the event pump delivers).</summary>
public sealed record EventDocument(string Type, Guid InterviewId, Guid UserId, DateTimeOffset OccurredAt, JsonElement Data)
{
    /// <summary>The document kind of every stored event.</summary>
    public const string Kind = "event";
}
