namespace Interviews.Domain;

/// <summary>Who moved an interview.</summary>
public enum RescheduleInitiator
{
    Candidate,
    Company,
}

/// <summary>One entry of an interview's reschedule history (a value object).</summary>
public sealed record RescheduleEvent(
    DateTimeOffset PreviousDateTime,
    DateTimeOffset NewDateTime,
    DateTimeOffset RescheduledAt,
    string? Reason,
    RescheduleInitiator InitiatedBy);

/// <summary>How a thank-you note was sent.</summary>
public enum ThankYouMethod
{
    Email,
    LinkedIn,
    Handwritten,
}
