using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Interviews.Domain;

namespace Interviews.Functions.Interviews;

/// <summary>
/// An interview as a list shows it, without notes and history: the read model the store writes beside
/// each interview in the same atomic write (so it is never stale), and which a list page answers as it
/// was stored, without reading the bodies. Its JSON (<see cref="Json"/>) is written in the API's
/// conventions — camelCase, enums by name, instants in UTC with a 'Z' — so that the list endpoint can
/// send stored items unchanged; the OpenAPI contract calls it <c>InterviewSummary</c>.
/// </summary>
/// <remarks>
/// The store owns this record, not the API. A change to it is a new <see cref="SchemaVersion"/>: rows
/// written in an older version are rebuilt from their bodies when read, and rewritten at their next save.
/// Derived values (the local time, the video provider) are as of the last save; a change of a zone's
/// rules shows in lists at the interview's next save, and at once in GET.
/// </remarks>
public sealed record InterviewListItem(
    Guid Id,
    Guid ApplicationId,
    InterviewType InterviewType,
    InterviewStatus Status,
    DateTimeOffset ScheduledAt,
    string ScheduledAtLocal,
    int Duration,
    string? Location,
    IReadOnlyList<string> Interviewers,
    string Timezone,
    bool ResearchCompleted,
    bool QuestionsPrepped,
    bool MaterialsGathered,
    DateTimeOffset? CompletedAt,
    int? PerformanceRating,
    bool FollowUpRequired,
    bool ThankYouNoteSent,
    int RescheduleCount,
    DateTimeOffset UpdatedAt,
    string? VideoProvider,
    InterviewOutcome? Outcome,
    DateTimeOffset? DecidedAt)
{
    /// <summary>The version of this record's stored format; raise it with every change to the record.</summary>
    /// <remarks>2: <see cref="Outcome"/> and <see cref="DecidedAt"/>.</remarks>
    public const int SchemaVersion = 2;

    /// <summary>How the items are written and read: the API's conventions, so a stored item is sent as it is.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    public static InterviewListItem From(Interview i) => new(
        i.Id, i.ApplicationId, i.InterviewType, i.Status, i.ScheduledAt, i.Timezone.FormatLocal(i.ScheduledAt), i.Duration, i.Location, i.Interviewers, i.Timezone.Id,
        i.ResearchCompleted, i.QuestionsPrepped, i.MaterialsGathered, i.CompletedAt, i.PerformanceRating, i.FollowUpRequired,
        i.ThankYouNoteSent, i.RescheduleHistory.Count, i.UpdatedAt, VideoLinks.Find(i.Location)?.Provider, i.Outcome, i.DecidedAt);

    /// <summary>The stored JSON of <paramref name="interview"/>'s item.</summary>
    public static string Serialize(Interview interview) => JsonSerializer.Serialize(From(interview), Json);

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        options.Converters.Add(new UtcInstantConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>RFC 3339 in UTC with the fraction only when there is one ("2026-01-05T14:00:00Z"), as the API writes instants.</summary>
    private sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
    }
}
