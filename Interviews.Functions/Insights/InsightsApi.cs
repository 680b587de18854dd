using System.Globalization;
using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Insights;

/// <summary>
/// <c>GET /api/interviews/insights</c>: the caller's statistics, added up from the monthly buckets that
/// the event pump keeps (<see cref="Events.InsightsProjector"/>, within its lag of about 2 s); never loads the interviews.
/// </summary>
public sealed class InsightsApi(InsightsStore insights, TimeProvider time)
{
    public const int MaxMonths = 36;
    public const int DefaultMonthsBack = 11;
    public const int DefaultMonthsAhead = 12;
    public const int MaxApplications = 50;

    [Function("GetInterviewInsights")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews/insights")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        var range = ParseRange(request.Query, InsightsMonth.Of(time.GetUtcNow()));
        if (!range.IsSuccess)
        {
            return Problems.From(range.Error!);
        }

        var (from, to) = range.Value;
        var counters = await insights.SumAsync(user.Id, from, to, cancellationToken);
        return new JsonResult<InterviewInsights>(InterviewInsights.From(from, to, counters));
    }

    /// <summary>
    /// <c>dateFrom</c> and <c>dateTo</c>: a month (<c>2026-03</c>), a date or an RFC 3339 date-time with an
    /// offset; each bound includes its whole UTC month. Missing: 11 months before now to 12 months after,
    /// or 24 months from (to) the given bound. At most 36 months.
    /// </summary>
    public static Result<(InsightsMonth From, InsightsMonth To)> ParseRange(IQueryCollection query, InsightsMonth now)
    {
        var errors = new ValidationErrors();
        var from = Month(query, "dateFrom", errors);
        var to = Month(query, "dateTo", errors);
        if (errors.Any)
        {
            return errors.ToError();
        }

        var window = DefaultMonthsBack + DefaultMonthsAhead;
        var start = from ?? (to is { } t ? t.Plus(-window) : now.Plus(-DefaultMonthsBack));
        var end = to ?? (from is { } f ? f.Plus(window) : now.Plus(DefaultMonthsAhead));
        if (end.Index < start.Index)
        {
            errors.Add("dateTo", "dateTo must not be before dateFrom.");
        }
        else if (end.Index - start.Index + 1 > MaxMonths)
        {
            errors.Add("dateTo", $"The range may cover at most {MaxMonths} months.");
        }

        return errors.Any ? errors.ToError() : (start, end);
    }

    private static InsightsMonth? Month(IQueryCollection query, string name, ValidationErrors errors)
    {
        if (QueryParameters.Single(query, name, errors) is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
            || Instants.TryParseDate(text, out month))
        {
            return InsightsMonth.Of(month.Year, month.Month);
        }

        if (Instants.TryParseWithOffset(text, out var instant))
        {
            return InsightsMonth.Of(instant);
        }

        errors.Add(name, "Use a month (2026-03), a date (2026-03-05) or an RFC 3339 date-time with an offset; the bound includes its whole month (UTC).");
        return null;
    }
}

/// <summary>The caller's insights over whole UTC months <see cref="DateFrom"/> to <see cref="DateTo"/>, by the month of <c>scheduledAt</c>.</summary>
public sealed record InterviewInsights(
    string DateFrom,
    string DateTo,
    long Total,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyDictionary<string, long> ByType,
    RatingInsight Rating,
    IReadOnlyDictionary<string, RatingInsight> RatingByType,
    PreparationInsight Preparation,
    ThankYouInsight ThankYou,
    RescheduleInsight Reschedules,
    DurationInsight Duration,
    ApplicationsInsight Applications,
    CalibrationInsight Calibration)
{
    internal static InterviewInsights From(InsightsMonth from, InsightsMonth to, Dictionary<string, long> c)
    {
        long N(string key) => c.GetValueOrDefault(key);
        var total = N(InsightsCounters.Total);
        var completed = N(InsightsCounters.Completed);
        var thankYou = N(InsightsCounters.ThankYou);
        var bins = Enumerable.Range(0, InsightsContribution.ThankYouHourBounds.Count + 1).Select(i => N(InsightsCounters.ThankYouBin(i))).ToArray();
        var actualCount = N(InsightsCounters.ActualCount);
        var applications = c.Where(kv => kv.Key.StartsWith(InsightsCounters.ApplicationPrefix, StringComparison.Ordinal) && kv.Value > 0)
            .Select(kv => new ApplicationCount(Guid.Parse(kv.Key[InsightsCounters.ApplicationPrefix.Length..]), kv.Value))
            .OrderByDescending(a => a.Interviews).ThenBy(a => a.ApplicationId)
            .ToList();
        return new InterviewInsights(
            from.ToString(),
            to.ToString(),
            total,
            Enum.GetValues<InterviewStatus>().ToDictionary(s => s.ToString(), s => N(InsightsCounters.Status(s)), StringComparer.Ordinal),
            Enum.GetValues<InterviewType>().ToDictionary(t => t.ToString(), t => N(InsightsCounters.Type(t)), StringComparer.Ordinal),
            new RatingInsight(Ratio(N(InsightsCounters.RatingSum), N(InsightsCounters.RatingCount)), N(InsightsCounters.RatingCount)),
            Enum.GetValues<InterviewType>().ToDictionary(t => t.ToString(), t => new RatingInsight(Ratio(N(InsightsCounters.RatingSumOf(t)), N(InsightsCounters.RatingCountOf(t))), N(InsightsCounters.RatingCountOf(t))), StringComparer.Ordinal),
            new PreparationInsight(
                completed,
                [.. InsightsContribution.ChecklistItems.Select(item => new ChecklistInsight(
                    item,
                    N(InsightsCounters.Checklist(item, done: true)),
                    Ratio(N(InsightsCounters.Checklist(item, done: true)), completed),
                    Ratio(N(InsightsCounters.ChecklistRatingSum(item, done: true)), N(InsightsCounters.ChecklistRatingCount(item, done: true))),
                    N(InsightsCounters.ChecklistRatingCount(item, done: true)),
                    Ratio(N(InsightsCounters.ChecklistRatingSum(item, done: false)), N(InsightsCounters.ChecklistRatingCount(item, done: false))),
                    N(InsightsCounters.ChecklistRatingCount(item, done: false))))]),
            new ThankYouInsight(
                completed,
                thankYou,
                Ratio(thankYou, completed),
                MedianHours(bins),
                [.. bins.Select((count, i) => new HourBin(
                    i == 0 ? 0 : InsightsContribution.ThankYouHourBounds[i - 1],
                    i < InsightsContribution.ThankYouHourBounds.Count ? InsightsContribution.ThankYouHourBounds[i] : null,
                    count))]),
            new RescheduleInsight(
                N(InsightsCounters.Reschedules(RescheduleInitiator.Candidate)),
                N(InsightsCounters.Reschedules(RescheduleInitiator.Company)),
                Ratio(N(InsightsCounters.Reschedules(RescheduleInitiator.Candidate)), total),
                Ratio(N(InsightsCounters.Reschedules(RescheduleInitiator.Company)), total)),
            new DurationInsight(
                Ratio(N(InsightsCounters.PlannedMinutes), total),
                actualCount,
                Ratio(N(InsightsCounters.ActualPlannedMinutes), actualCount),
                Ratio(N(InsightsCounters.ActualMinutes), actualCount)),
            new ApplicationsInsight(applications.Count, [.. applications.Take(InsightsApi.MaxApplications)]),
            CalibrationInsight.From(N));
    }

    private static double? Ratio(long numerator, long denominator) =>
        denominator == 0 ? null : Math.Round((double)numerator / denominator, 4, MidpointRounding.AwayFromZero);

    /// <summary>
    /// An estimate: the middle of the sorted delays (n / 2) falls in one bin; its position there is
    /// interpolated linearly between the bin's bounds. In the open last bin, its lower bound (96 h).
    /// </summary>
    private static double? MedianHours(long[] bins)
    {
        var n = bins.Sum();
        if (n == 0)
        {
            return null;
        }

        var middle = n / 2.0;
        long before = 0;
        var bounds = InsightsContribution.ThankYouHourBounds;
        for (var i = 0; i < bins.Length; i++)
        {
            if (bins[i] > 0 && before + bins[i] >= middle)
            {
                if (i == bounds.Count)
                {
                    return bounds[^1];
                }

                double low = i == 0 ? 0 : bounds[i - 1];
                double high = bounds[i];
                return Math.Round(low + ((middle - before) / bins[i] * (high - low)), 4, MidpointRounding.AwayFromZero);
            }

            before += bins[i];
        }

        return bounds[^1];
    }
}

/// <summary>
/// Whether the candidate's own sense of an interview predicts its result: the share of decided
/// interviews that advanced, overall and by self-rating, type and preparation, and how long decisions
/// take. Decided means the company decided (Advanced, Offer or Rejected); Withdrawn and NoDecision,
/// and interviews with no outcome, are left out (counted in <see cref="Outcomes"/> only).
/// </summary>
public sealed record CalibrationInsight(
    int MinimumDecided,
    IReadOnlyDictionary<string, long> Outcomes,
    AdvanceRate Overall,
    IReadOnlyDictionary<string, AdvanceRate> BySelfRating,
    IReadOnlyDictionary<string, AdvanceRate> ByType,
    PreparationAdvanceRates ByPreparation,
    DecisionTime DaysToDecision)
{
    /// <summary>A rate or a median of fewer decisions than this says more about chance than about the candidate.</summary>
    public const int MinDecided = 5;

    internal static CalibrationInsight From(Func<string, long> n)
    {
        AdvanceRate Rate(string group) => AdvanceRate.Of(n(InsightsCounters.Decided(group)), n(InsightsCounters.Advanced(group)));
        var days = Enumerable.Range(0, CalibrationGroups.MaxDecisionDays + 1).Select(d => n(InsightsCounters.DecisionDays(d))).ToArray();
        var decided = days.Sum();
        return new CalibrationInsight(
            MinDecided,
            Enum.GetValues<InterviewOutcome>().ToDictionary(o => o.ToString(), o => n(InsightsCounters.Outcome(o)), StringComparer.Ordinal),
            Rate(CalibrationGroups.All),
            Enumerable.Range(InterviewLimits.MinRating, InterviewLimits.MaxRating - InterviewLimits.MinRating + 1).ToDictionary(
                r => r.ToString(CultureInfo.InvariantCulture), r => Rate(CalibrationGroups.Rating(r)), StringComparer.Ordinal),
            Enum.GetValues<InterviewType>().ToDictionary(t => t.ToString(), t => Rate(CalibrationGroups.Type(t)), StringComparer.Ordinal),
            new PreparationAdvanceRates(Rate(CalibrationGroups.PreparationComplete), Rate(CalibrationGroups.PreparationIncomplete)),
            decided < MinDecided ? new DecisionTime(decided, null, true) : new DecisionTime(decided, MedianDays(days, decided), false));
    }

    /// <summary>The exact median of whole days (the mean of the two middle ones for an even count); a decision in the last, open day counts as that day.</summary>
    private static double MedianDays(long[] days, long count)
    {
        double At(long position)
        {
            long before = 0;
            for (var d = 0; d < days.Length; d++)
            {
                before += days[d];
                if (position < before)
                {
                    return d;
                }
            }

            return days.Length - 1;
        }

        return count % 2 == 1 ? At(count / 2) : (At((count / 2) - 1) + At(count / 2)) / 2;
    }
}

/// <summary>
/// The share of <see cref="Decided"/> interviews that advanced (Advanced or Offer). With fewer than
/// <see cref="CalibrationInsight.MinDecided"/> decisions only the count is given, with <see cref="InsufficientData"/>.
/// </summary>
public sealed record AdvanceRate(long Decided, long? Advanced, double? Rate, bool InsufficientData)
{
    internal static AdvanceRate Of(long decided, long advanced) =>
        decided < CalibrationInsight.MinDecided
            ? new AdvanceRate(decided, null, null, true)
            : new AdvanceRate(decided, advanced, Math.Round((double)advanced / decided, 4, MidpointRounding.AwayFromZero), false);
}

/// <summary>Advance rates of the interviews whose three checklist items were all done, and of the others.</summary>
public sealed record PreparationAdvanceRates(AdvanceRate AllChecklistItems, AdvanceRate NotAllChecklistItems);

/// <summary>The median whole days from the interview to its decision, over <see cref="Decided"/> decisions; null with fewer than the minimum.</summary>
public sealed record DecisionTime(long Decided, double? MedianDays, bool InsufficientData);

/// <summary>The average self-rating (1–5) of the rated interviews, null when none was rated.</summary>
public sealed record RatingInsight(double? Average, long Count);

public sealed record PreparationInsight(long Completed, IReadOnlyList<ChecklistInsight> Items);

/// <summary>For one checklist item: how many completed interviews had it done, their share, and the average rating with and without it.</summary>
public sealed record ChecklistInsight(
    string Item,
    long CompletedWithItem,
    double? Share,
    double? AverageRatingWith,
    long RatedWith,
    double? AverageRatingWithout,
    long RatedWithout);

public sealed record ThankYouInsight(long Completed, long WithNote, double? Rate, double? MedianHoursEstimate, IReadOnlyList<HourBin> Histogram);

/// <summary>Delays from completion to thank-you note in [<see cref="FromHours"/>, <see cref="ToHours"/>) (open-ended when null).</summary>
public sealed record HourBin(int FromHours, int? ToHours, long Count);

public sealed record RescheduleInsight(long ByCandidate, long ByCompany, double? ByCandidatePerInterview, double? ByCompanyPerInterview);

/// <summary>Average planned minutes of every interview, and planned against actual for the completed interviews with an actual duration.</summary>
public sealed record DurationInsight(double? AveragePlannedMinutes, long CompletedWithActual, double? AveragePlannedMinutesOfCompleted, double? AverageActualMinutes);

public sealed record ApplicationsInsight(long Distinct, IReadOnlyList<ApplicationCount> Top);

public sealed record ApplicationCount(Guid ApplicationId, long Interviews);
