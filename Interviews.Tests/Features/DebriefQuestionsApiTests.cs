using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Features;

/// <summary>
/// Debrief questions over HTTP: completion takes <c>questionsAsked</c> with the preparation questions'
/// limits; the application's later interviews suggest them, once each, without those already prepared.
/// </summary>
public sealed class DebriefQuestionsApiTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private const string Application = "aaaaaaaa-1111-4111-8111-111111111111";
    private const string OtherApplication = "bbbbbbbb-2222-4222-8222-222222222222";

    private async Task<string> ScheduleAsync(HttpClient client, double hoursAhead, string application = Application) =>
        (await client.ScheduleAsync(factory, hoursAhead / 24, ("applicationId", application))).Id;

    private static JsonArray Suggested(JsonObject interview) => interview["suggestedQuestions"]!.AsArray();

    private static async Task<JsonObject> GetAsync(HttpClient client, string id) => await (await client.GetPathAsync($"/api/interviews/{id}")).JsonAsync();

    [Fact]
    public async Task A_later_interview_of_the_application_suggests_the_questions_asked_once_each_without_the_prepared_ones()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var screen = await ScheduleAsync(client, 1);
        var technical = await ScheduleAsync(client, 2);
        var onsite = await ScheduleAsync(client, 24 * 7);
        var elsewhere = await ScheduleAsync(client, 24 * 7, OtherApplication);
        factory.Clock.Advance(TimeSpan.FromHours(3));

        var completed = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{screen}/complete",
            new { performanceRating = 4, questionsAsked = new[] { " Why this company? ", "Tell me about a conflict", "why this company?" } });
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        Assert.Equal("""["Why this company?","Tell me about a conflict","why this company?"]""", (await completed.JsonAsync())["questionsAsked"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{technical}/complete",
            new { questionsAsked = new[] { "Design a URL shortener", "TELL ME ABOUT A CONFLICT" } })).StatusCode);

        // Both earlier rounds, in the order asked, each once (trimmed, case ignored).
        Assert.Equal("""["Why this company?","Tell me about a conflict","Design a URL shortener"]""", Suggested(await GetAsync(client, onsite)).ToJsonString());
        // Preparing shows them too, without the ones it now prepares.
        var prepared = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{onsite}/prepare",
            new { questionsPrepped = true, questions = new[] { new { question = "design a url shortener " } } });
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);
        Assert.Equal("""["Why this company?","Tell me about a conflict"]""", Suggested(await prepared.JsonAsync()).ToJsonString());

        // Another application's interview, and the completed rounds themselves, suggest nothing.
        Assert.Empty(Suggested(await GetAsync(client, elsewhere)));
        Assert.Empty(Suggested(await GetAsync(client, screen)));
        Assert.Empty(Suggested(await GetAsync(client, technical)));
    }

    [Fact]
    public async Task An_earlier_interview_does_not_see_the_questions_of_a_later_one_and_another_user_sees_none()
    {
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        var earlierOpen = await ScheduleAsync(alice, 1);
        var first = await ScheduleAsync(alice, 3);
        var bobsLater = await ScheduleAsync(bob, 24 * 3);
        factory.Clock.Advance(TimeSpan.FromHours(4));
        Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{first}/complete", new { questionsAsked = new[] { "Why us?" } })).StatusCode);

        Assert.Empty(Suggested(await GetAsync(alice, earlierOpen)));
        Assert.Empty(Suggested(await GetAsync(bob, bobsLater)));
    }

    [Theory]
    [InlineData(51, 10, "questionsAsked")]
    [InlineData(2, 1_001, "questionsAsked[0]")]
    [InlineData(1, 0, "questionsAsked[0]")]
    public async Task Questions_asked_beyond_the_preparation_limits_are_a_400_naming_the_field(int count, int length, string field)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var id = await ScheduleAsync(client, 1);
        factory.Clock.Advance(TimeSpan.FromHours(2));
        var body = new JsonObject { ["questionsAsked"] = new JsonArray([.. Enumerable.Range(0, count).Select(_ => (JsonNode)new string('q', length))]) };

        await (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", body.ToJsonString())).AssertInvalidFieldAsync(field);

        Assert.Equal("Scheduled", (await GetAsync(client, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Fifty_questions_of_1000_characters_are_accepted()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var id = await ScheduleAsync(client, 1);
        factory.Clock.Advance(TimeSpan.FromHours(2));
        var body = new JsonObject { ["questionsAsked"] = new JsonArray([.. Enumerable.Range(0, 50).Select(i => (JsonNode)(i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + new string('q', 997)))]) };

        var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", body.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, (await response.JsonAsync())["questionsAsked"]!.AsArray().Count);
    }
}
