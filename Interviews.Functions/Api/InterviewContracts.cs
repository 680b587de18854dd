using Interviews.Domain;
using Interviews.Functions.Http;

namespace Interviews.Functions.Api;

// Requests: every field nullable so that a missing field is told apart from a default value and
// reported by name. Date-times are strings so that a local time can be read in the interview's zone.
// Arrays are bounded lists: reading stops at the first element past the contract's maxItems.

/// <summary>The contract's maxItems of the request arrays (the aggregate's own limits).</summary>
public sealed class MaxInterviewers : IItemLimit
{
    public static int Max => InterviewLimits.MaxInterviewers;
}

/// <inheritdoc cref="MaxInterviewers"/>
public sealed class MaxQuestions : IItemLimit
{
    public static int Max => InterviewLimits.MaxPreparationQuestions;
}

/// <inheritdoc cref="MaxInterviewers"/>
public sealed class MaxRecipients : IItemLimit
{
    public static int Max => InterviewLimits.MaxRecipients;
}

public sealed record ScheduleInterviewRequest(
    Guid? ApplicationId,
    string? InterviewType,
    string? ScheduledAt,
    int? Duration,
    string? Location,
    BoundedList<string?, MaxInterviewers>? Interviewers,
    string? Timezone);

/// <summary>PUT /interviews/{id}: replaces the editable details. <c>scheduledAt</c> may be echoed back unchanged; moving the interview is a reschedule.</summary>
public sealed record UpdateInterviewRequest(
    Guid? ApplicationId,
    string? InterviewType,
    string? ScheduledAt,
    int? Duration,
    string? Location,
    BoundedList<string?, MaxInterviewers>? Interviewers,
    string? Timezone);

public sealed record PrepareInterviewRequest(
    string? PreparationNotes,
    bool? ResearchCompleted,
    bool? QuestionsPrepped,
    bool? MaterialsGathered,
    BoundedList<PreparationQuestionInput?, MaxQuestions>? Questions = null);

public sealed record CompleteInterviewRequest(
    string? CompletedAt,
    int? ActualDuration,
    int? PerformanceRating,
    string? InterviewNotes,
    string? NextSteps,
    bool? FollowUpRequired);

public sealed record RescheduleInterviewRequest(
    string? NewDateTime,
    string? Reason,
    string? InitiatedBy);

public sealed record ThankYouNoteRequest(
    BoundedList<string?, MaxRecipients>? Recipients,
    string? Method,
    string? Notes,
    string? SentAt);

// Responses.

public sealed record RescheduleResponse(
    DateTimeOffset PreviousDateTime,
    DateTimeOffset NewDateTime,
    DateTimeOffset RescheduledAt,
    string? Reason,
    RescheduleInitiator InitiatedBy);

public sealed record ThankYouNoteResponse(IReadOnlyList<string> Recipients, ThankYouMethod? Method, string? Notes);

/// <summary>An interview in full, as GET /interviews/{id} and every command return it.</summary>
public sealed record InterviewResponse(
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
    DateTimeOffset? CompletedAt,
    int? ActualDuration,
    int? PerformanceRating,
    string? InterviewNotes,
    string? NextSteps,
    bool FollowUpRequired,
    string? PreparationNotes,
    bool ResearchCompleted,
    bool QuestionsPrepped,
    bool MaterialsGathered,
    IReadOnlyList<PreparationQuestion> Questions,
    bool ThankYouNoteSent,
    DateTimeOffset? ThankYouSentAt,
    ThankYouNoteResponse? ThankYouNote,
    IReadOnlyList<RescheduleResponse> RescheduleHistory,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? VideoProvider,
    IReadOnlyList<InterviewConflict> Conflicts)
{
    public static InterviewResponse From(Interview i, IReadOnlyList<InterviewConflict> conflicts) => new(
        i.Id, i.ApplicationId, i.InterviewType, i.Status, i.ScheduledAt, LocalTime(i), i.Duration, i.Location, i.Interviewers, i.Timezone.Id,
        i.CompletedAt, i.ActualDuration, i.PerformanceRating, i.InterviewNotes, i.NextSteps, i.FollowUpRequired,
        i.PreparationNotes, i.ResearchCompleted, i.QuestionsPrepped, i.MaterialsGathered, i.PreparationQuestions,
        i.ThankYouNoteSent, i.ThankYouSentAt,
        i.ThankYouNoteSent ? new ThankYouNoteResponse(i.ThankYouRecipients, i.ThankYouMethod, i.ThankYouNotes) : null,
        [.. i.RescheduleHistory.Select(r => new RescheduleResponse(r.PreviousDateTime, r.NewDateTime, r.RescheduledAt, r.Reason, r.InitiatedBy))],
        i.CreatedAt, i.UpdatedAt, Calendar.VideoLinks.Find(i.Location)?.Provider, conflicts);

    /// <summary>The wall-clock time in the interview's own zone, with its offset: "2026-01-05T06:00:00-08:00".</summary>
    internal static string LocalTime(Interview i) =>
        i.Timezone.ToLocal(i.ScheduledAt).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Another of the user's open interviews that overlaps this one, or starts or ends within the conflict
/// buffer of it: its id and time, the minutes the two overlap, and the minutes between them when they do not.
/// </summary>
public sealed record InterviewConflict(Guid InterviewId, DateTimeOffset ScheduledAt, int Duration, DateTimeOffset EndsAt, int OverlapMinutes, int GapMinutes);

/// <summary>An interview in a list: what a list or calendar view shows, without notes and history.</summary>
public sealed record InterviewSummary(
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
    string? VideoProvider)
{
    public static InterviewSummary From(Interview i) => new(
        i.Id, i.ApplicationId, i.InterviewType, i.Status, i.ScheduledAt, InterviewResponse.LocalTime(i), i.Duration, i.Location, i.Interviewers, i.Timezone.Id,
        i.ResearchCompleted, i.QuestionsPrepped, i.MaterialsGathered, i.CompletedAt, i.PerformanceRating, i.FollowUpRequired,
        i.ThankYouNoteSent, i.RescheduleHistory.Count, i.UpdatedAt, Calendar.VideoLinks.Find(i.Location)?.Provider);
}
