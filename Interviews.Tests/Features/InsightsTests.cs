using Interviews.Functions.Insights;
using Interviews.Functions.Interviews;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Interviews.Domain;
using Interviews.Functions.Storage;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Features;

/// <summary>GET /api/interviews/insights: numbers computed by hand from scenarios driven over HTTP.</summary>
public sealed class InsightsTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private const string AppA = "11111111-1111-4111-8111-111111111111";
    private const string AppB = "22222222-2222-4222-8222-222222222222";
    private const string AppC = "33333333-3333-4333-8333-333333333333";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The first day of the month <paramref name="monthsAhead"/> after the clock's, at 00:00 UTC.</summary>
    private DateTimeOffset MonthStart(int monthsAhead)
    {
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        return new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(monthsAhead);
    }

    private static string Month(DateTimeOffset time) => time.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<string> ScheduleAsync(HttpClient client, DateTimeOffset at, string type = "Video", string app = AppA, int duration = 60)
    {
        var body = ApiClient.ScheduleRequest(at, ("interviewType", type), ("applicationId", app), ("duration", duration));
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", body.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync())["id"]!.GetValue<string>();
    }

    private static async Task OkAsync(HttpClient client, HttpMethod method, string path, JsonObject? body = null)
    {
        var response = await client.SendJsonAsync(method, path, body?.ToJsonString());
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}");
    }

    /// <summary>Runs the event pump (which keeps the counters), then reads the insights.</summary>
    private async Task<JsonObject> InsightsAsync(HttpClient client, string query = "")
    {
        await factory.RunTimerAsync("EventPump");
        return await ReadInsightsAsync(client, query);
    }

    private static async Task<JsonObject> ReadInsightsAsync(HttpClient client, string query = "")
    {
        var response = await client.GetPathAsync("/api/interviews/insights" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Token));
        return await response.JsonAsync();
    }

    private static double? Number(JsonNode? node) => node?.GetValue<double>();

    private static long Count(JsonNode? node) => node!.GetValue<long>();

    [Fact]
    public async Task A_scenario_gives_the_hand_computed_insights()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var month = MonthStart(2);
        var at = (int day) => month.AddDays(day - 1).AddHours(10);
        var i1 = await ScheduleAsync(client, at(6), "Video", AppA, 60);
        var i2 = await ScheduleAsync(client, at(7), "Technical", AppA, 90);
        var i3 = await ScheduleAsync(client, at(8), "Technical", AppB, 45);
        var i4 = await ScheduleAsync(client, at(20), "PhoneScreen", AppB, 30);
        var i5 = await ScheduleAsync(client, at(25), "Panel", AppC, 120);

        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{i1}/prepare", new JsonObject { ["researchCompleted"] = true, ["questionsPrepped"] = true, ["materialsGathered"] = false });
        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{i2}/prepare", new JsonObject { ["researchCompleted"] = true });
        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{i4}/reschedule", new JsonObject { ["newDateTime"] = Instant(at(21)), ["initiatedBy"] = "Candidate" });
        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{i4}/reschedule", new JsonObject { ["newDateTime"] = Instant(at(22)), ["initiatedBy"] = "Company" });
        await OkAsync(client, HttpMethod.Delete, $"/api/interviews/{i5}");

        // The pump runs every 2 seconds in production: deliver before the clock jumps weeks ahead, past
        // the events' time to live (the store purges expired events, as Cosmos DB's TTL does).
        await factory.RunTimerAsync("EventPump");
        factory.Clock.SetUtcNow(at(10));
        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{i1}/complete", new JsonObject { ["completedAt"] = Instant(at(6).AddHours(1)), ["actualDuration"] = 50, ["performanceRating"] = 5 });
        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{i2}/complete", new JsonObject { ["completedAt"] = Instant(at(7).AddHours(1.5)), ["actualDuration"] = 110, ["performanceRating"] = 3 });
        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{i3}/complete", new JsonObject { ["completedAt"] = Instant(at(8).AddHours(1)), ["performanceRating"] = 2 });
        var thanks = (double hours, DateTimeOffset completed) => new JsonObject { ["recipients"] = new JsonArray("jane@example.com"), ["method"] = "Email", ["sentAt"] = Instant(completed.AddHours(hours)) };
        await OkAsync(client, HttpMethod.Post, $"/api/interviews/{i1}/thank-you", thanks(3, at(6).AddHours(1)));
        await OkAsync(client, HttpMethod.Post, $"/api/interviews/{i2}/thank-you", thanks(30, at(7).AddHours(1.5)));

        var insights = await InsightsAsync(client, $"?dateFrom={Month(month)}&dateTo={Month(month)}");
        Assert.Equal(Month(month), insights["dateFrom"]!.GetValue<string>());
        Assert.Equal(Month(month), insights["dateTo"]!.GetValue<string>());
        Assert.Equal(5, Count(insights["total"]));
        var byStatus = insights["byStatus"]!;
        Assert.Equal([0L, 0, 3, 1, 1], new[] { "Scheduled", "Prepared", "Completed", "Rescheduled", "Cancelled" }.Select(s => Count(byStatus[s])));
        var byType = insights["byType"]!;
        Assert.Equal([1L, 1, 0, 2, 1, 0], new[] { "PhoneScreen", "Video", "InPerson", "Technical", "Panel", "Final" }.Select(t => Count(byType[t])));

        Assert.Equal(3.3333, Number(insights["rating"]!["average"]));
        Assert.Equal(3, Count(insights["rating"]!["count"]));
        Assert.Equal(5, Number(insights["ratingByType"]!["Video"]!["average"]));
        Assert.Equal(2.5, Number(insights["ratingByType"]!["Technical"]!["average"]));
        Assert.Equal(2, Count(insights["ratingByType"]!["Technical"]!["count"]));
        Assert.Null(Number(insights["ratingByType"]!["Panel"]!["average"]));

        var preparation = insights["preparation"]!;
        Assert.Equal(3, Count(preparation["completed"]));
        var items = preparation["items"]!.AsArray().ToDictionary(i => i!["item"]!.GetValue<string>());
        AssertItem(items["researchCompleted"]!, 2, 0.6667, 4, 2, 2, 1);
        AssertItem(items["questionsPrepped"]!, 1, 0.3333, 5, 1, 2.5, 2);
        AssertItem(items["materialsGathered"]!, 0, 0, null, 0, 3.3333, 3);

        var thankYou = insights["thankYou"]!;
        Assert.Equal(3, Count(thankYou["completed"]));
        Assert.Equal(2, Count(thankYou["withNote"]));
        Assert.Equal(0.6667, Number(thankYou["rate"]));
        // Delays 3 h ([2,4)) and 30 h ([24,48)): the middle (1 of 2) ends the [2,4) bin, estimated at 4 h.
        Assert.Equal(4, Number(thankYou["medianHoursEstimate"]));
        var histogram = thankYou["histogram"]!.AsArray();
        Assert.Equal([0L, 0, 1, 0, 0, 0, 1, 0, 0], histogram.Select(b => Count(b!["count"])));
        Assert.Equal(96, Count(histogram[^1]!["fromHours"]));
        Assert.Null(histogram[^1]!["toHours"]);

        var reschedules = insights["reschedules"]!;
        Assert.Equal(1, Count(reschedules["byCandidate"]));
        Assert.Equal(1, Count(reschedules["byCompany"]));
        Assert.Equal(0.2, Number(reschedules["byCandidatePerInterview"]));
        Assert.Equal(0.2, Number(reschedules["byCompanyPerInterview"]));

        var duration = insights["duration"]!;
        Assert.Equal(69, Number(duration["averagePlannedMinutes"])); // (60 + 90 + 45 + 30 + 120) / 5
        Assert.Equal(2, Count(duration["completedWithActual"]));
        Assert.Equal(75, Number(duration["averagePlannedMinutesOfCompleted"]));
        Assert.Equal(80, Number(duration["averageActualMinutes"]));

        var applications = insights["applications"]!;
        Assert.Equal(3, Count(applications["distinct"]));
        Assert.Equal(
            [(AppA, 2L), (AppB, 2L), (AppC, 1L)],
            applications["top"]!.AsArray().Select(a => (a!["applicationId"]!.GetValue<string>(), Count(a["interviews"]))));

        // The default range (11 months back to 12 ahead) holds the same month.
        Assert.Equal(5, Count((await InsightsAsync(client))["total"]));
        // The month before holds nothing.
        var empty = await InsightsAsync(client, $"?dateFrom={Month(month.AddMonths(-1))}&dateTo={Month(month.AddMonths(-1))}");
        Assert.Equal(0, Count(empty["total"]));
        Assert.Null(Number(empty["rating"]!["average"]));
        Assert.Null(Number(empty["thankYou"]!["medianHoursEstimate"]));
    }

    [Fact]
    public async Task Calibration_gives_the_hand_computed_advance_rates_and_median_days_to_decision()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var month = MonthStart(2);
        var at = (int day) => month.AddDays(day - 1).AddHours(10);
        //          #  type          rating  all 3 prepared  outcome (days after the interview)
        var rounds = new (string Type, int? Rating, bool Prepared, string? Outcome, int Days)[]
        {
            /* 1 */ ("Video", 5, true, "Offer", 2),
            /* 2 */ ("Video", 4, true, "Advanced", 3),
            /* 3 */ ("Video", 4, false, "Rejected", 7),
            /* 4 */ ("Technical", 4, true, "Advanced", 1),
            /* 5 */ ("Technical", 2, false, "Rejected", 10),
            /* 6 */ ("Technical", 3, false, "Rejected", 4),     // NoDecision first, then Rejected: only the last counts
            /* 7 */ ("Video", 4, false, "Advanced", 5),
            /* 8 */ ("Video", 4, false, "Rejected", 6),
            /* 9 */ ("Video", 1, false, "Withdrawn", 1),        // the candidate's decision: left out of rates
            /* 10 */ ("Technical", 4, true, "NoDecision", 2),   // no decision: left out
            /* 11 */ ("Video", null, false, null, 0),           // nothing recorded: left out
        };
        var ids = new List<string>();
        for (var i = 0; i < rounds.Length; i++)
        {
            var id = await ScheduleAsync(client, at(i + 1), rounds[i].Type);
            ids.Add(id);
            // "Not all three" is a partial checklist, not an empty one.
            await OkAsync(client, HttpMethod.Put, $"/api/interviews/{id}/prepare", new JsonObject
            {
                ["researchCompleted"] = true, ["questionsPrepped"] = rounds[i].Prepared, ["materialsGathered"] = rounds[i].Prepared,
            });
        }

        await factory.RunTimerAsync("EventPump");
        factory.Clock.SetUtcNow(at(25));
        for (var i = 0; i < rounds.Length; i++)
        {
            var (_, rating, _, outcome, days) = rounds[i];
            var held = at(i + 1);
            await OkAsync(client, HttpMethod.Put, $"/api/interviews/{ids[i]}/complete", new JsonObject { ["completedAt"] = Instant(held.AddHours(1)), ["performanceRating"] = rating });
            if (i == 5)
            {
                await OkAsync(client, HttpMethod.Put, $"/api/interviews/{ids[i]}/outcome", new JsonObject { ["outcome"] = "NoDecision", ["decidedAt"] = Instant(held.AddDays(1)) });
            }

            if (outcome is not null)
            {
                // Three hours past the whole days, which do not count.
                await OkAsync(client, HttpMethod.Put, $"/api/interviews/{ids[i]}/outcome", new JsonObject { ["outcome"] = outcome, ["decidedAt"] = Instant(held.AddDays(days).AddHours(3)) });
            }
        }

        var calibration = (await InsightsAsync(client, $"?dateFrom={Month(month)}&dateTo={Month(month)}"))["calibration"]!;
        Assert.Equal(5, Count(calibration["minimumDecided"]));
        // Recorded: Advanced #2 #4 #7, Rejected #3 #5 #6 #8, Offer #1, Withdrawn #9, NoDecision #10.
        Assert.Equal([3L, 4, 1, 1, 1], new[] { "Advanced", "Rejected", "Offer", "Withdrawn", "NoDecision" }.Select(o => Count(calibration["outcomes"]![o])));
        // Decided: #1–#8 = 8; advanced (Advanced or Offer): #1 #2 #4 #7 = 4; 4 / 8 = 0.5.
        AssertRate(calibration["overall"]!, 8, 4, 0.5);
        // Self-rating 4: #2 #3 #4 #7 #8 = 5 decided, #2 #4 #7 advanced: 3 / 5 = 0.6.
        AssertRate(calibration["bySelfRating"]!["4"]!, 5, 3, 0.6);
        // Rating 5: #1 alone; 3: #6; 2: #5; 1: only #9, withdrawn, so none.
        AssertInsufficient(calibration["bySelfRating"]!["5"]!, 1);
        AssertInsufficient(calibration["bySelfRating"]!["3"]!, 1);
        AssertInsufficient(calibration["bySelfRating"]!["2"]!, 1);
        AssertInsufficient(calibration["bySelfRating"]!["1"]!, 0);
        // Video: #1 #2 #3 #7 #8 = 5 decided, #1 #2 #7 advanced: 3 / 5 = 0.6. Technical: #4 #5 #6 = 3.
        AssertRate(calibration["byType"]!["Video"]!, 5, 3, 0.6);
        AssertInsufficient(calibration["byType"]!["Technical"]!, 3);
        AssertInsufficient(calibration["byType"]!["Panel"]!, 0);
        // All three items: #1 #2 #4 = 3. Not all: #3 #5 #6 #7 #8 = 5, #7 advanced: 1 / 5 = 0.2.
        AssertInsufficient(calibration["byPreparation"]!["allChecklistItems"]!, 3);
        AssertRate(calibration["byPreparation"]!["notAllChecklistItems"]!, 5, 1, 0.2);
        // Whole days of #1–#8: 2, 3, 7, 1, 10, 4, 5, 6 → sorted 1 2 3 4 | 5 6 7 10: median (4 + 5) / 2 = 4.5.
        var decisionTime = calibration["daysToDecision"]!;
        Assert.Equal(8, Count(decisionTime["decided"]));
        Assert.Equal(4.5, Number(decisionTime["medianDays"]));
        Assert.False(decisionTime["insufficientData"]!.GetValue<bool>());

        // An outcome can change: #3 Rejected → Offer makes Video 4 of 5 (0.8) and overall 5 of 8 (0.625).
        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{ids[2]}/outcome", new JsonObject { ["outcome"] = "Offer" });
        calibration = (await InsightsAsync(client, $"?dateFrom={Month(month)}&dateTo={Month(month)}"))["calibration"]!;
        AssertRate(calibration["byType"]!["Video"]!, 5, 4, 0.8);
        AssertRate(calibration["overall"]!, 8, 5, 0.625);
    }

    private static void AssertRate(JsonNode rate, long decided, long advanced, double value)
    {
        Assert.Equal(decided, Count(rate["decided"]));
        Assert.Equal(advanced, Count(rate["advanced"]));
        Assert.Equal(value, Number(rate["rate"]));
        Assert.False(rate["insufficientData"]!.GetValue<bool>());
    }

    private static void AssertInsufficient(JsonNode rate, long decided)
    {
        Assert.Equal(decided, Count(rate["decided"]));
        Assert.Null(rate["advanced"]);
        Assert.Null(rate["rate"]);
        Assert.True(rate["insufficientData"]!.GetValue<bool>());
    }

    private static void AssertItem(JsonNode item, long with, double share, double? averageWith, long ratedWith, double? averageWithout, long ratedWithout)
    {
        Assert.Equal(with, Count(item["completedWithItem"]));
        Assert.Equal(share, Number(item["share"]));
        Assert.Equal(averageWith, Number(item["averageRatingWith"]));
        Assert.Equal(ratedWith, Count(item["ratedWith"]));
        Assert.Equal(averageWithout, Number(item["averageRatingWithout"]));
        Assert.Equal(ratedWithout, Count(item["ratedWithout"]));
    }

    [Fact]
    public async Task A_reschedule_to_another_month_moves_the_contribution_and_cancel_updates_the_counts()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var april = MonthStart(1).AddDays(10).AddHours(9);
        var june = MonthStart(3).AddDays(3).AddHours(9);
        var id = await ScheduleAsync(client, april, "Final", AppB, 45);
        var first = await InsightsAsync(client, $"?dateFrom={Month(april)}&dateTo={Month(april)}");
        Assert.Equal(1, Count(first["byStatus"]!["Scheduled"]));
        Assert.Equal(1, Count(first["byType"]!["Final"]));

        await OkAsync(client, HttpMethod.Put, $"/api/interviews/{id}/reschedule", new JsonObject { ["newDateTime"] = Instant(june), ["initiatedBy"] = "Company" });
        var before = await InsightsAsync(client, $"?dateFrom={Month(april)}&dateTo={Month(april)}");
        Assert.Equal(0, Count(before["total"]));
        Assert.Equal(0, Count(before["reschedules"]!["byCompany"]));
        Assert.Equal(0, Count(before["applications"]!["distinct"]));
        var after = await InsightsAsync(client, $"?dateFrom={Month(june)}&dateTo={Month(june)}");
        Assert.Equal(1, Count(after["total"]));
        Assert.Equal(1, Count(after["byStatus"]!["Rescheduled"]));
        Assert.Equal(1, Count(after["reschedules"]!["byCompany"]));
        Assert.Equal(45, Number(after["duration"]!["averagePlannedMinutes"]));

        await OkAsync(client, HttpMethod.Delete, $"/api/interviews/{id}");
        var cancelled = await InsightsAsync(client, $"?dateFrom={Month(april)}&dateTo={Month(june)}");
        Assert.Equal(1, Count(cancelled["total"]));
        Assert.Equal(0, Count(cancelled["byStatus"]!["Rescheduled"]));
        Assert.Equal(1, Count(cancelled["byStatus"]!["Cancelled"]));
        Assert.Equal(1, Count(cancelled["reschedules"]!["byCompany"]));
    }

    [Fact]
    public async Task Other_users_interviews_never_count()
    {
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        var at = MonthStart(1).AddDays(5).AddHours(14);
        await ScheduleAsync(alice, at);
        await ScheduleAsync(bob, at);
        await ScheduleAsync(bob, at.AddDays(1), "Panel", AppC);

        var range = $"?dateFrom={Month(at)}&dateTo={Month(at)}";
        Assert.Equal(1, Count((await InsightsAsync(alice, range))["total"]));
        var forBob = await InsightsAsync(bob, range);
        Assert.Equal(2, Count(forBob["total"]));
        Assert.Equal(1, Count(forBob["byType"]!["Panel"]));
        using var carol = factory.ClientFor(LocalHostFactory.NewUser());
        Assert.Equal(0, Count((await InsightsAsync(carol, range))["total"]));
    }

    [Theory]
    [InlineData("?dateFrom=yesterday", "dateFrom")]
    [InlineData("?dateFrom=2026-13", "dateFrom")]
    [InlineData("?dateTo=2026-02-30", "dateTo")]
    [InlineData("?dateTo=2026-01-05T14:00", "dateTo")]
    [InlineData("?dateFrom=2026-01&dateFrom=2026-02", "dateFrom")]
    [InlineData("?dateFrom=2026-05&dateTo=2026-04", "dateTo")]
    [InlineData("?dateFrom=2026-01&dateTo=2029-01", "dateTo")] // 37 months
    [InlineData("?dateFrom=0001-01-01&dateTo=9999-12-31", "dateTo")]
    public async Task A_bad_range_is_a_400_naming_the_parameter(string query, string field)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        await (await client.GetPathAsync("/api/interviews/insights" + query)).AssertInvalidFieldAsync(field);
    }

    [Theory]
    [InlineData("?dateFrom=2026-01&dateTo=2028-12", "2026-01", "2028-12")] // 36 months
    [InlineData("?dateFrom=2026-01-31T23:30:00-01:00&dateTo=2026-03-15", "2026-02", "2026-03")]
    [InlineData("?dateFrom=2026-06", "2026-06", "2028-05")] // 24 months
    [InlineData("?dateTo=2026-06", "2024-07", "2026-06")]
    [InlineData("?dateFrom=9999-12", "9999-12", "9999-12")]
    public async Task A_bound_includes_its_whole_month(string query, string from, string to)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var insights = await InsightsAsync(client, query);
        Assert.Equal(from, insights["dateFrom"]!.GetValue<string>());
        Assert.Equal(to, insights["dateTo"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_token_it_is_a_401()
    {
        using var anonymous = factory.ClientFor(null);
        await (await anonymous.GetPathAsync("/api/interviews/insights")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Concurrent_commands_keep_the_counters_consistent()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var month = MonthStart(2);
        var id = await ScheduleAsync(client, month.AddDays(2).AddHours(10));

        // Ten concurrent schedules in the same month (one bucket), and ten concurrent reschedules of one interview.
        var schedules = Enumerable.Range(0, 10).Select(i => ScheduleAsync(client, month.AddDays(3 + i).AddHours(10), "Technical", AppC));
        var reschedules = Enumerable.Range(0, 10).Select(i => OkAsync(client, HttpMethod.Put, $"/api/interviews/{id}/reschedule", new JsonObject
        {
            ["newDateTime"] = Instant(month.AddDays(14).AddHours(8 + i)),
            ["initiatedBy"] = i % 2 == 0 ? "Candidate" : "Company",
        }));
        await Task.WhenAll(schedules.Cast<Task>().Concat(reschedules));

        var insights = await InsightsAsync(client, $"?dateFrom={Month(month)}&dateTo={Month(month)}");
        Assert.Equal(11, Count(insights["total"]));
        Assert.Equal(10, Count(insights["byType"]!["Technical"]));
        Assert.Equal(5, Count(insights["reschedules"]!["byCandidate"]));
        Assert.Equal(5, Count(insights["reschedules"]!["byCompany"]));
        Assert.Equal(1, Count(insights["byStatus"]!["Rescheduled"]));
        Assert.Equal(10, Count(insights["byStatus"]!["Scheduled"]));
    }

    /// <summary>Measured, not asserted: 10,000 interviews of one user over 24 months (half of them completed with an outcome), 100 requests of the default range.</summary>
    [Fact]
    public async Task Insights_latency_with_10000_interviews_is_measured()
    {
        // Its own host, whose pump never runs: the counters are written here as the projector would
        // write them, so that 10,000 events do not have to go through the pump first.
        using var host = new LocalHostFactory();
        var user = Guid.NewGuid();
        using var client = host.ClientFor(user.ToString("D"));
        var store = host.Services.GetRequiredService<InterviewStore>();
        var months = new DocumentKind<InsightsMonthDocument>(host.Services.GetRequiredService<IDocumentContainer>(), InsightsStore.Kind, key => "insights:" + key);
        var now = host.Clock.GetUtcNow();
        var sumsByMonth = new Dictionary<InsightsMonth, Dictionary<string, long>>();
        var seeding = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            var details = InterviewDetails.Create(
                new Guid(i % 500, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), Enum.GetName((InterviewType)(i % 6)), 30 + (i % 8 * 15), null, null, "UTC").Value;
            var interview = Interview.Schedule(Guid.NewGuid(), user, details, now.AddHours(1 + (i * 365 * 24 / 10_000.0)), now).Value;
            if (i % 2 == 0)
            {
                // Half of them completed with a rating and an outcome decided 0–29 days later: every
                // calibration counter is in the buckets, as in a long-used account.
                var held = interview.ScheduledAt;
                Assert.True(interview.Complete(held.AddHours(1), null, (i % 5) + 1, null, null, false, held.AddHours(1)).IsSuccess);
                Assert.True(interview.RecordOutcome((InterviewOutcome)(i % 5), held.AddDays(i % 30), null, held.AddDays(i % 30)).IsSuccess);
            }

            var contribution = InsightsContribution.Of(interview);
            Assert.True((await store.CreateAsync(interview, Token)).Saved);
            var sums = sumsByMonth.TryGetValue(contribution.Month, out var found) ? found : sumsByMonth[contribution.Month] = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (key, value) in contribution.Counters)
            {
                sums[key] = sums.GetValueOrDefault(key) + value;
            }
        }

        // The month buckets as the projector would leave them, written at once rather than event by event.
        foreach (var (month, counters) in sumsByMonth)
        {
            var bucket = new InsightsMonthDocument(month.ToString(), new SortedDictionary<string, long>(counters, StringComparer.Ordinal));
            Assert.NotNull(await months.SaveAsync(user.ToString("D"), month.ToString(), bucket, null, Token));
        }

        seeding.Stop();
        Assert.Equal(10_000, Count((await ReadInsightsAsync(client))["total"]));
        var times = new List<double>();
        for (var i = 0; i < 100; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await client.GetPathAsync("/api/interviews/insights");
            await response.Content.ReadAsByteArrayAsync(Token);
            watch.Stop();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"Insights over 24 months with 10,000 interviews (500 applications): p50 {times[49]:F2} ms, p95 {times[94]:F2} ms, max {times[99]:F2} ms; seeding through the store took {seeding.Elapsed.TotalSeconds:F1} s");
        TestContext.Current.SendDiagnosticMessage(message);
        TestContext.Current.TestOutputHelper?.WriteLine(message);
    }
}
