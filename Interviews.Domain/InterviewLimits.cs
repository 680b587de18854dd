namespace Interviews.Domain;

/// <summary>The bounds of the requirements' validation rules, and the ones this service adds where they are silent.</summary>
public static class InterviewLimits
{
    public const int MinDuration = 15;
    public const int MaxDuration = 480;
    public const int MaxLocation = 500;
    public const int MaxInterviewers = 20;
    public const int MaxInterviewerName = 200;
    public const int MaxPreparationNotes = 10_000;
    public const int MaxInterviewNotes = 10_000;
    public const int MinRating = 1;
    public const int MaxRating = 5;

    // Not in the requirements: the storage table's nvarchar(500) for next steps and reasons, a day
    // for the actual duration, and the address length of RFC 5321 for a recipient.
    public const int MaxNextSteps = 500;
    public const int MaxReason = 500;
    public const int MinActualDuration = 1;
    public const int MaxActualDuration = 1_440;
    public const int MaxRecipients = 20;
    public const int MaxRecipient = 254;
    public const int MaxThankYouNotes = 2_000;

    // The expected questions of a preparation.
    public const int MaxPreparationQuestions = 50;
    public const int MaxPreparationQuestion = 1_000;
    public const int MaxAnswerNotes = 4_000;

    // The outcome of a round: its notes are notes like the interview's own.
    public const int MaxOutcomeNotes = 10_000;
}
