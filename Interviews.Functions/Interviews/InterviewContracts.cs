using Interviews.Domain;
using Interviews.Functions.Http;

namespace Interviews.Functions.Interviews;

// Requests: every field nullable so that a missing field is told apart from a default value and
// reported by name. Date-times are strings so that a local time can be read in the interview's zone.
// Each request turns its values into one call of the aggregate's verb; the rules live in the verb.
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

/// <inheritdoc cref="MaxInterviewers"/>
public sealed class MaxReminderOffsets : IItemLimit
{
    public static int Max => ReminderOffsets.MaxCount;
}

/// <summary>A request body that runs one of the aggregate's verbs on a stored interview.</summary>
public interface IInterviewCommandRequest
{
    /// <summary>The verb with this body's values: the rule it breaks, or a 400 naming each field whose value cannot be read.</summary>
    Result ApplyTo(Interview interview, DateTimeOffset now);
}

public sealed record ScheduleInterviewRequest(
    Guid? ApplicationId,
    string? InterviewType,
    string? ScheduledAt,
    int? Duration,
    string? Location,
    BoundedList<string?, MaxInterviewers>? Interviewers,
    string? Timezone,
    BoundedList<int, MaxReminderOffsets>? ReminderMinutesBefore = null)
{
    /// <summary>A new interview of <paramref name="userId"/> with this body's values, or every field that is wrong.</summary>
    public Result<Interview> Schedule(Guid id, Guid userId, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        var details = InterviewDetails.Create(ApplicationId, InterviewType, Duration, Location, Interviewers, Timezone, ReminderMinutesBefore);
        errors.AddFrom(details.Error);
        var zone = details.IsSuccess ? details.Value.Timezone : IanaTimeZone.Create(Timezone) is { IsSuccess: true } valid ? valid.Value : null;
        var scheduledAt = Instants.Parse(ScheduledAt, "scheduledAt", zone);
        errors.AddFrom(scheduledAt.Error);
        return errors.Any ? errors.ToError() : Interview.Schedule(id, userId, details.Value, scheduledAt.Value, now);
    }
}

/// <summary>PUT /interviews/{id}: replaces the editable details. <c>scheduledAt</c> may be echoed back unchanged; moving the interview is a reschedule.</summary>
public sealed record UpdateInterviewRequest(
    Guid? ApplicationId,
    string? InterviewType,
    string? ScheduledAt,
    int? Duration,
    string? Location,
    BoundedList<string?, MaxInterviewers>? Interviewers,
    string? Timezone,
    BoundedList<int, MaxReminderOffsets>? ReminderMinutesBefore = null) : IInterviewCommandRequest
{
    public Result ApplyTo(Interview interview, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        var details = InterviewDetails.Create(ApplicationId, InterviewType, Duration, Location, Interviewers, Timezone, ReminderMinutesBefore);
        errors.AddFrom(details.Error);
        if (ScheduledAt is not null)
        {
            var scheduledAt = Instants.Parse(ScheduledAt, "scheduledAt", details.IsSuccess ? details.Value.Timezone : interview.Timezone);
            errors.AddFrom(scheduledAt.Error);
            if (scheduledAt.IsSuccess && scheduledAt.Value != interview.ScheduledAt)
            {
                errors.Add("scheduledAt", "The time cannot be changed here; use PUT /api/interviews/{id}/reschedule, which keeps the history.");
            }
        }

        return errors.Any ? errors.ToError() : interview.UpdateDetails(details.Value, now);
    }
}

public sealed record PrepareInterviewRequest(
    string? PreparationNotes,
    bool? ResearchCompleted,
    bool? QuestionsPrepped,
    bool? MaterialsGathered,
    BoundedList<PreparationQuestionInput?, MaxQuestions>? Questions = null) : IInterviewCommandRequest
{
    /// <summary>
    /// A preparation may hold 50 questions of 1,000 characters with 4,000 characters of notes each,
    /// more than the usual 64 KB: its body may be 1 MB.
    /// </summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public Result ApplyTo(Interview interview, DateTimeOffset now) =>
        interview.Prepare(PreparationNotes, ResearchCompleted ?? false, QuestionsPrepped ?? false, MaterialsGathered ?? false, now, Questions);
}

public sealed record CompleteInterviewRequest(
    string? CompletedAt,
    int? ActualDuration,
    int? PerformanceRating,
    string? InterviewNotes,
    string? NextSteps,
    bool? FollowUpRequired,
    BoundedList<string?, MaxQuestions>? QuestionsAsked = null) : IInterviewCommandRequest
{
    public Result ApplyTo(Interview interview, DateTimeOffset now)
    {
        DateTimeOffset? completedAt = null;
        if (CompletedAt is not null)
        {
            var parsed = Instants.Parse(CompletedAt, "completedAt", interview.Timezone);
            if (!parsed.IsSuccess)
            {
                return parsed.Error!;
            }

            completedAt = parsed.Value;
        }

        return interview.Complete(completedAt, ActualDuration, PerformanceRating, InterviewNotes, NextSteps, FollowUpRequired ?? false, now, QuestionsAsked);
    }
}

/// <summary>PUT /interviews/{id}/outcome: what came of the round; replaces an earlier outcome.</summary>
public sealed record RecordOutcomeRequest(
    string? Outcome,
    string? DecidedAt,
    string? Notes) : IInterviewCommandRequest
{
    public Result ApplyTo(Interview interview, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        if (!InterviewOutcomes.TryParse(Outcome, out var outcome))
        {
            errors.Add("outcome", $"The outcome is required: one of {InterviewOutcomes.AllowedValues}.");
        }

        var decidedAt = Instants.ParseOptional(DecidedAt, "decidedAt", interview.Timezone, errors);
        return errors.Any ? errors.ToError() : interview.RecordOutcome(outcome, decidedAt, Notes, now);
    }
}

public sealed record RescheduleInterviewRequest(
    string? NewDateTime,
    string? Reason,
    string? InitiatedBy) : IInterviewCommandRequest
{
    public Result ApplyTo(Interview interview, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        var newTime = Instants.Parse(NewDateTime, "newDateTime", interview.Timezone);
        errors.AddFrom(newTime.Error);
        if (!EnumNames.TryParse<RescheduleInitiator>(InitiatedBy, out var initiatedBy))
        {
            errors.Add("initiatedBy", $"Who moved the interview is required: one of {EnumNames.Allowed<RescheduleInitiator>()}.");
        }

        return errors.Any ? errors.ToError() : interview.Reschedule(newTime.Value, Reason, initiatedBy, now);
    }
}

public sealed record ThankYouNoteRequest(
    BoundedList<string?, MaxRecipients>? Recipients,
    string? Method,
    string? Notes,
    string? SentAt) : IInterviewCommandRequest
{
    public Result ApplyTo(Interview interview, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        if (!EnumNames.TryParse<ThankYouMethod>(Method, out var method))
        {
            errors.Add("method", $"The method is required: one of {EnumNames.Allowed<ThankYouMethod>()}.");
        }

        var sentAt = Instants.ParseOptional(SentAt, "sentAt", interview.Timezone, errors);
        return errors.Any ? errors.ToError() : interview.RecordThankYouNote(Recipients, method, Notes, sentAt, now);
    }
}

// Responses.

public sealed record RescheduleResponse(
    DateTimeOffset PreviousDateTime,
    DateTimeOffset NewDateTime,
    DateTimeOffset RescheduledAt,
    string? Reason,
    RescheduleInitiator InitiatedBy);

/// <summary>The calendar invitation an interview was imported from: its UID and the SEQUENCE last applied.</summary>
public sealed record InvitationResponse(string Uid, int Sequence);

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
    IReadOnlyList<InterviewConflict> Conflicts,
    InvitationResponse? Invitation,
    IReadOnlyList<string> QuestionsAsked,
    InterviewOutcome? Outcome,
    DateTimeOffset? DecidedAt,
    string? OutcomeNotes,
    IReadOnlyList<string> SuggestedQuestions,
    IReadOnlyList<int>? ReminderMinutesBefore)
{
    /// <summary>
    /// The interview with the conflicts the answer reports and the questions suggested for it (asked in
    /// the application's earlier interviews, see <see cref="DebriefQuestions"/>).
    /// </summary>
    public static InterviewResponse From(Interview i, IReadOnlyList<InterviewConflict> conflicts, IReadOnlyList<string>? suggestedQuestions = null) => new(
        i.Id, i.ApplicationId, i.InterviewType, i.Status, i.ScheduledAt, i.Timezone.FormatLocal(i.ScheduledAt), i.Duration, i.Location, i.Interviewers, i.Timezone.Id,
        i.CompletedAt, i.ActualDuration, i.PerformanceRating, i.InterviewNotes, i.NextSteps, i.FollowUpRequired,
        i.PreparationNotes, i.ResearchCompleted, i.QuestionsPrepped, i.MaterialsGathered, i.PreparationQuestions,
        i.ThankYouNoteSent, i.ThankYouSentAt,
        i.ThankYouNoteSent ? new ThankYouNoteResponse(i.ThankYouRecipients, i.ThankYouMethod, i.ThankYouNotes) : null,
        [.. i.RescheduleHistory.Select(r => new RescheduleResponse(r.PreviousDateTime, r.NewDateTime, r.RescheduledAt, r.Reason, r.InitiatedBy))],
        i.CreatedAt, i.UpdatedAt, VideoLinks.Find(i.Location)?.Provider, conflicts,
        i.Invitation is { } invitation ? new InvitationResponse(invitation.Uid, invitation.Sequence) : null,
        i.QuestionsAsked, i.Outcome, i.DecidedAt, i.OutcomeNotes, suggestedQuestions ?? [], i.ReminderMinutesBefore);

}

/// <summary>
/// Another of the user's open interviews that overlaps this one, or starts or ends within the conflict
/// buffer of it: its id and time, the minutes the two overlap, and the minutes between them when they do not.
/// </summary>
public sealed record InterviewConflict(Guid InterviewId, DateTimeOffset ScheduledAt, int Duration, DateTimeOffset EndsAt, int OverlapMinutes, int GapMinutes);
