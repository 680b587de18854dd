namespace Interviews.Domain;

/// <summary>What came of an interview round, as the candidate records it once the interview is completed.</summary>
public enum InterviewOutcome
{
    /// <summary>The candidate goes on to the next round.</summary>
    Advanced,
    Rejected,
    /// <summary>The round ended with an offer (the strongest way of advancing).</summary>
    Offer,
    /// <summary>The candidate withdrew: their decision, not the company's.</summary>
    Withdrawn,
    /// <summary>No decision yet (recorded, so that it can be told apart from nothing recorded).</summary>
    NoDecision,
}

/// <summary>
/// How calibration reads outcomes. Only the company's decisions count: Advanced and Offer advance,
/// Rejected does not; Withdrawn is the candidate's own decision and says nothing about how the
/// interview went, and NoDecision is no decision — both are left out of every rate.
/// </summary>
public static class InterviewOutcomes
{
    public static bool TryParse(string? text, out InterviewOutcome outcome) => EnumNames.TryParse(text, out outcome);

    public static string AllowedValues => EnumNames.Allowed<InterviewOutcome>();

    /// <summary>A decision of the company: Advanced, Offer or Rejected.</summary>
    public static bool IsDecided(InterviewOutcome outcome) => outcome is InterviewOutcome.Advanced or InterviewOutcome.Offer or InterviewOutcome.Rejected;

    /// <summary>Advanced or Offer.</summary>
    public static bool IsAdvancing(InterviewOutcome outcome) => outcome is InterviewOutcome.Advanced or InterviewOutcome.Offer;
}
