using System.Globalization;
using Interviews.Domain;

namespace Interviews.Functions.Insights;

/// <summary>
/// The names of the counters an interview contributes to its month (<see cref="InsightsContribution"/>)
/// and that the insights answer reads back: one place for both, so that a key cannot be written one way
/// and read another. Names are stored: a change of one is a change of the stored data.
/// </summary>
public static class InsightsCounters
{
    public const string Total = "total";
    public const string Completed = "completed";
    public const string PlannedMinutes = "planned:sum";
    public const string RatingSum = "rating:sum";
    public const string RatingCount = "rating:count";
    public const string ThankYou = "thankyou";
    public const string ActualCount = "actual:count";
    public const string ActualMinutes = "actual:sum";
    public const string ActualPlannedMinutes = "actual:planned";

    /// <summary>The prefix of the per-application counters; the rest of the key is the application's id.</summary>
    public const string ApplicationPrefix = "app:";

    public static string Status(InterviewStatus status) => "status:" + status;

    public static string Type(InterviewType type) => "type:" + type;

    public static string Application(Guid applicationId) => ApplicationPrefix + applicationId.ToString("D");

    public static string Reschedules(RescheduleInitiator initiatedBy) => "reschedule:" + initiatedBy;

    public static string RatingSumOf(InterviewType type) => "rating:sum:" + type;

    public static string RatingCountOf(InterviewType type) => "rating:count:" + type;

    public static string Checklist(string item, bool done) => $"prep:{item}:{Side(done)}";

    public static string ChecklistRatingSum(string item, bool done) => $"prep:{item}:{Side(done)}:ratingSum";

    public static string ChecklistRatingCount(string item, bool done) => $"prep:{item}:{Side(done)}:ratingCount";

    public static string ThankYouBin(int bin) => "thankyou:bin:" + bin.ToString(CultureInfo.InvariantCulture);

    /// <summary>Completed interviews by their recorded outcome (any, decided or not).</summary>
    public static string Outcome(InterviewOutcome outcome) => "outcome:" + outcome;

    /// <summary>Decided interviews (Advanced, Offer, Rejected) of a calibration group (<see cref="CalibrationGroups"/>).</summary>
    public static string Decided(string group) => $"calib:{group}:decided";

    /// <summary>Of those, the ones that advanced (Advanced or Offer).</summary>
    public static string Advanced(string group) => $"calib:{group}:advanced";

    /// <summary>Decided interviews whose decision came <paramref name="days"/> whole days after the interview (the last, open-ended day included).</summary>
    public static string DecisionDays(int days) => "calib:days:" + days.ToString(CultureInfo.InvariantCulture);

    private static string Side(bool done) => done ? "done" : "notdone";
}

/// <summary>The calibration groups an interview's decision is counted in: all, its self-rating, its type, and whether its checklist was complete.</summary>
public static class CalibrationGroups
{
    public const string All = "all";
    public const string PreparationComplete = "prep:complete";
    public const string PreparationIncomplete = "prep:incomplete";

    public static string Rating(int rating) => "rating:" + rating.ToString(CultureInfo.InvariantCulture);

    public static string Type(InterviewType type) => "type:" + type;

    /// <summary>Decisions later than this many whole days are counted together, in the last day.</summary>
    public const int MaxDecisionDays = 90;
}

/// <summary>
/// What one interview adds to its user's insights: counters under named keys, all in the bucket of the
/// month of its <see cref="Interview.ScheduledAt"/> (UTC). Subtracting the contribution of the state an
/// interview was loaded in and adding that of its new state keeps the monthly buckets exact.
/// </summary>
public sealed record InsightsContribution(InsightsMonth Month, IReadOnlyDictionary<string, long> Counters)
{
    /// <summary>The upper bounds (hours, exclusive) of the completion → thank-you histogram; the last bin is open.</summary>
    public static IReadOnlyList<int> ThankYouHourBounds { get; } = [1, 2, 4, 8, 12, 24, 48, 96];

    public static readonly string[] ChecklistItems = ["researchCompleted", "questionsPrepped", "materialsGathered"];

    public static InsightsContribution Of(Interview interview)
    {
        var c = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string key, long value)
        {
            if (value != 0)
            {
                c[key] = c.GetValueOrDefault(key) + value;
            }
        }

        var type = interview.InterviewType;
        Add(InsightsCounters.Total, 1);
        Add(InsightsCounters.Status(interview.Status), 1);
        Add(InsightsCounters.Type(type), 1);
        Add(InsightsCounters.PlannedMinutes, interview.Duration);
        Add(InsightsCounters.Application(interview.ApplicationId), 1);
        foreach (var reschedule in interview.RescheduleHistory)
        {
            Add(InsightsCounters.Reschedules(reschedule.InitiatedBy), 1);
        }

        if (interview.PerformanceRating is { } rating)
        {
            Add(InsightsCounters.RatingSum, rating);
            Add(InsightsCounters.RatingCount, 1);
            Add(InsightsCounters.RatingSumOf(type), rating);
            Add(InsightsCounters.RatingCountOf(type), 1);
        }

        if (interview.Status == InterviewStatus.Completed)
        {
            Add(InsightsCounters.Completed, 1);
            bool[] done = [interview.ResearchCompleted, interview.QuestionsPrepped, interview.MaterialsGathered];
            for (var i = 0; i < ChecklistItems.Length; i++)
            {
                Add(InsightsCounters.Checklist(ChecklistItems[i], done[i]), 1);
                if (interview.PerformanceRating is { } r)
                {
                    Add(InsightsCounters.ChecklistRatingSum(ChecklistItems[i], done[i]), r);
                    Add(InsightsCounters.ChecklistRatingCount(ChecklistItems[i], done[i]), 1);
                }
            }

            if (interview.ThankYouNoteSent)
            {
                Add(InsightsCounters.ThankYou, 1);
                if (interview.CompletedAt is { } completedAt && interview.ThankYouSentAt is { } sentAt)
                {
                    Add(InsightsCounters.ThankYouBin(HourBin((sentAt - completedAt).TotalHours)), 1);
                }
            }

            if (interview.ActualDuration is { } actual)
            {
                Add(InsightsCounters.ActualCount, 1);
                Add(InsightsCounters.ActualMinutes, actual);
                Add(InsightsCounters.ActualPlannedMinutes, interview.Duration);
            }

            if (interview is { Outcome: { } outcome, DecidedAt: { } decidedAt, HeldAt: { } heldAt })
            {
                Add(InsightsCounters.Outcome(outcome), 1);
                if (InterviewOutcomes.IsDecided(outcome))
                {
                    // Rates only ever see the company's decisions: an interview without one is not a failure.
                    var advanced = InterviewOutcomes.IsAdvancing(outcome) ? 1 : 0;
                    var allDone = done.All(d => d);
                    string[] groups = interview.PerformanceRating is { } selfRating
                        ? [CalibrationGroups.All, CalibrationGroups.Type(type), allDone ? CalibrationGroups.PreparationComplete : CalibrationGroups.PreparationIncomplete, CalibrationGroups.Rating(selfRating)]
                        : [CalibrationGroups.All, CalibrationGroups.Type(type), allDone ? CalibrationGroups.PreparationComplete : CalibrationGroups.PreparationIncomplete];
                    foreach (var group in groups)
                    {
                        Add(InsightsCounters.Decided(group), 1);
                        Add(InsightsCounters.Advanced(group), advanced);
                    }

                    Add(InsightsCounters.DecisionDays(DecisionDays(heldAt, decidedAt)), 1);
                }
            }
        }

        return new InsightsContribution(InsightsMonth.Of(interview.ScheduledAt), c);
    }

    /// <summary>Whole days (24-hour periods) from the interview to its decision, at most <see cref="CalibrationGroups.MaxDecisionDays"/>.</summary>
    public static int DecisionDays(DateTimeOffset heldAt, DateTimeOffset decidedAt) =>
        (int)Math.Clamp(Math.Floor((decidedAt - heldAt).TotalDays), 0, CalibrationGroups.MaxDecisionDays);

    /// <summary>The index of the histogram bin holding <paramref name="hours"/>.</summary>
    public static int HourBin(double hours)
    {
        for (var i = 0; i < ThankYouHourBounds.Count; i++)
        {
            if (hours < ThankYouHourBounds[i])
            {
                return i;
            }
        }

        return ThankYouHourBounds.Count;
    }
}
