using System.Net;
using Interviews.Tests.Support;

namespace Interviews.Tests.Features;

/// <summary>PUT /api/interviews/{id}/outcome over HTTP: If-Match and ETags, Idempotency-Key, errors by field, and the list's outcome filter.</summary>
public sealed class OutcomeApiTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Instant(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An interview an hour ahead, completed once the clock has passed it; its id and ETag.</summary>
    private async Task<(string Id, string ETag)> CompletedAsync(HttpClient client)
    {
        var (id, _, _) = await client.ScheduleAsync(factory, daysAhead: 1.0 / 24);
        factory.Clock.Advance(TimeSpan.FromHours(2));
        var completed = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { performanceRating = 4 });
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        return (id, completed.Headers.ETag!.ToString());
    }

    private static async Task<HttpResponseMessage> PutOutcomeAsync(HttpClient client, string id, object body, string? ifMatch = null, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/interviews/{id}/outcome")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await client.SendAsync(request, Token);
    }

    [Fact]
    public async Task An_outcome_is_recorded_under_If_Match_replaced_later_and_the_same_value_keeps_the_ETag()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, etag) = await CompletedAsync(client);
        var decidedAt = Instant(factory.Clock.GetUtcNow().AddMinutes(-30));

        var first = await PutOutcomeAsync(client, id, new { outcome = "NoDecision", decidedAt, notes = " Waiting for the panel " }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await first.JsonAsync();
        Assert.Equal(("NoDecision", decidedAt, "Waiting for the panel"), (body["outcome"]!.GetValue<string>(), body["decidedAt"]!.GetValue<string>(), body["outcomeNotes"]!.GetValue<string>()));
        var recorded = first.Headers.ETag!.ToString();
        Assert.NotEqual(etag, recorded);

        // The ETag it was loaded with is stale now.
        var stale = await PutOutcomeAsync(client, id, new { outcome = "Offer" }, ifMatch: etag);
        Assert.Equal("etag-mismatch", (await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed))["code"]!.GetValue<string>());

        var same = await PutOutcomeAsync(client, id, new { outcome = "NoDecision", decidedAt, notes = "Waiting for the panel" }, ifMatch: recorded);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(recorded, same.Headers.ETag!.ToString());

        var offer = await PutOutcomeAsync(client, id, new { outcome = "Offer" }, ifMatch: recorded);
        Assert.Equal(HttpStatusCode.OK, offer.StatusCode);
        var changed = await offer.JsonAsync();
        Assert.Equal("Offer", changed["outcome"]!.GetValue<string>());
        Assert.Equal(Instant(factory.Clock.GetUtcNow()), changed["decidedAt"]!.GetValue<string>());
        Assert.Null(changed["outcomeNotes"]);
        Assert.Equal("Offer", (await (await client.GetPathAsync($"/api/interviews/{id}")).JsonAsync())["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_repeat_with_its_Idempotency_Key_replays_the_answer_and_another_body_is_422()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _) = await CompletedAsync(client);

        var first = await PutOutcomeAsync(client, id, new { outcome = "Advanced" }, key: "outcome-1");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // Changed since by another request: the retry of the first answers what the first answered, and sets nothing back.
        Assert.Equal(HttpStatusCode.OK, (await PutOutcomeAsync(client, id, new { outcome = "Rejected" })).StatusCode);
        var repeat = await PutOutcomeAsync(client, id, new { outcome = "Advanced" }, key: "outcome-1");
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("Advanced", (await repeat.JsonAsync())["outcome"]!.GetValue<string>());
        Assert.Equal("Rejected", (await (await client.GetPathAsync($"/api/interviews/{id}")).JsonAsync())["outcome"]!.GetValue<string>());

        var other = await PutOutcomeAsync(client, id, new { outcome = "Offer" }, key: "outcome-1");
        Assert.Equal("idempotency-key-reused", (await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_open_interview_has_no_outcome_yet_409()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, created) = await client.ScheduleAsync(factory);
        Assert.Null(created["outcome"]?.GetValue<string>());

        var refused = await PutOutcomeAsync(client, id, new { outcome = "Advanced" });

        Assert.Equal("interview-not-completed", (await refused.AssertProblemAsync(HttpStatusCode.Conflict))["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"notes": "no outcome"}""", "outcome")]
    [InlineData("""{"outcome": "advanced"}""", "outcome")]
    [InlineData("""{"outcome": "Hired"}""", "outcome")]
    [InlineData("""{"outcome": 1}""", "outcome")]
    [InlineData("""{"outcome": "Offer", "decidedAt": "yesterday"}""", "decidedAt")]
    [InlineData("""{"outcome": "Offer", "decidedAt": "2000-01-01T00:00:00Z"}""", "decidedAt")]
    [InlineData("""{"outcome": "Offer", "decidedAt": "2100-01-01T00:00:00Z"}""", "decidedAt")]
    public async Task A_bad_outcome_or_decision_time_is_a_400_naming_the_field(string body, string field)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, etag) = await CompletedAsync(client);

        await (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/outcome", body)).AssertInvalidFieldAsync(field);

        Assert.Equal(etag, (await client.GetPathAsync($"/api/interviews/{id}")).Headers.ETag!.ToString());
    }

    [Fact]
    public async Task The_list_filters_by_outcome_and_shows_it_on_each_item()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (offered, _) = await CompletedAsync(client);
        var (rejected, _) = await CompletedAsync(client);
        await CompletedAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await PutOutcomeAsync(client, offered, new { outcome = "Offer" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutOutcomeAsync(client, rejected, new { outcome = "Rejected" })).StatusCode);

        var offers = (await (await client.GetPathAsync("/api/interviews?outcome=Offer")).JsonAsync())["items"]!.AsArray();
        var item = Assert.Single(offers)!;
        Assert.Equal((offered, "Offer"), (item["id"]!.GetValue<string>(), item["outcome"]!.GetValue<string>()));
        Assert.Equal(rejected, Assert.Single((await (await client.GetPathAsync("/api/interviews?status=Completed&outcome=Rejected")).JsonAsync())["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Empty((await (await client.GetPathAsync("/api/interviews?status=Scheduled&outcome=Offer")).JsonAsync())["items"]!.AsArray());
        Assert.Equal(3, (await (await client.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("outcome=offer")]
    [InlineData("outcome=Hired")]
    [InlineData("outcome=Offer&outcome=Rejected")]
    [InlineData("outcome=")]
    public async Task A_bad_outcome_filter_is_a_400_naming_it(string query)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());

        await (await client.GetPathAsync("/api/interviews?" + query)).AssertInvalidFieldAsync("outcome");
    }
}
