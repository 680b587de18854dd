namespace Interviews.Domain;

/// <summary>
/// Something that happened to a user's data, saved with the change that caused it (the outbox) and
/// delivered at least once to the handlers that subscribe to its type; <see cref="EventId"/> lets
/// handlers drop repeats. Most events are an interview's (<see cref="IDomainEvent"/>); a feature may
/// record its own, about the user rather than one interview.
/// </summary>
public interface IEvent
{
    Guid EventId { get; }

    Guid UserId { get; }

    /// <summary>When the change happened (server time).</summary>
    DateTimeOffset OccurredAt { get; }
}

/// <summary>Something that happened to an interview, recorded by the aggregate.</summary>
public interface IDomainEvent : IEvent
{
    Guid InterviewId { get; }
}

public sealed record InterviewScheduled(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    Guid ApplicationId,
    InterviewType InterviewType,
    DateTimeOffset ScheduledAt,
    int Duration,
    string? Location,
    IReadOnlyList<string> Interviewers,
    string Timezone,
    DateTimeOffset ScheduledOn) : IDomainEvent
{
    public DateTimeOffset OccurredAt => ScheduledOn;
}

public sealed record InterviewPrepared(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    DateTimeOffset PreparedAt,
    string PreparationNotes,
    bool ResearchCompleted,
    bool QuestionsPrepped,
    bool MaterialsGathered,
    IReadOnlyList<PreparationQuestion> Questions) : IDomainEvent
{
    public DateTimeOffset OccurredAt => PreparedAt;
}

/// <param name="RecordedAt">When the candidate recorded the completion; <paramref name="CompletedAt"/> is when the interview ended.</param>
public sealed record InterviewCompleted(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    DateTimeOffset CompletedAt,
    int? ActualDuration,
    int? PerformanceRating,
    string InterviewNotes,
    string? NextSteps,
    bool FollowUpRequired,
    DateTimeOffset RecordedAt,
    IReadOnlyList<string>? QuestionsAsked = null) : IDomainEvent
{
    public DateTimeOffset OccurredAt => RecordedAt;
}

public sealed record InterviewRescheduled(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    DateTimeOffset PreviousDateTime,
    DateTimeOffset NewDateTime,
    DateTimeOffset RescheduledAt,
    string? Reason,
    RescheduleInitiator InitiatedBy) : IDomainEvent
{
    public DateTimeOffset OccurredAt => RescheduledAt;
}

public sealed record ThankYouNoteSent(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    DateTimeOffset SentAt,
    IReadOnlyList<string> Recipients,
    ThankYouMethod Method,
    string? Notes,
    DateTimeOffset RecordedAt) : IDomainEvent
{
    public DateTimeOffset OccurredAt => RecordedAt;
}

/// <summary>The editable details (type, duration, location, interviewers, timezone) changed.</summary>
public sealed record InterviewDetailsUpdated(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    InterviewType InterviewType,
    int Duration,
    string? Location,
    IReadOnlyList<string> Interviewers,
    string Timezone,
    DateTimeOffset UpdatedAt) : IDomainEvent
{
    public DateTimeOffset OccurredAt => UpdatedAt;
}

public sealed record InterviewCancelled(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    InterviewStatus PreviousStatus,
    DateTimeOffset ScheduledAt,
    DateTimeOffset CancelledAt) : IDomainEvent
{
    public DateTimeOffset OccurredAt => CancelledAt;
}

/// <summary>
/// The outcome of a completed interview was recorded, or changed (<paramref name="PreviousOutcome"/>
/// is what it replaced, null the first time).
/// </summary>
/// <param name="RecordedAt">When the candidate recorded it; <paramref name="DecidedAt"/> is when the decision was made.</param>
public sealed record InterviewOutcomeRecorded(
    Guid EventId,
    Guid InterviewId,
    Guid UserId,
    InterviewOutcome Outcome,
    InterviewOutcome? PreviousOutcome,
    DateTimeOffset DecidedAt,
    string? Notes,
    DateTimeOffset RecordedAt) : IDomainEvent
{
    public DateTimeOffset OccurredAt => RecordedAt;
}
