using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>The PUT commands, thank-you and DELETE over HTTP: success, state rules (409), bad input (400), ETags (412).</summary>
public sealed class InterviewCommandTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private readonly HttpClient _client = factory.ClientFor(LocalHostFactory.NewUser());

    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    private Task<HttpResponseMessage> PutAsync(string id, string command, object body, string? ifMatch = null) =>
        _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/{command}", body, ifMatch);

    /// <summary>Schedules an interview one hour ahead and moves the clock past its start.</summary>
    private async Task<string> StartedInterviewAsync()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory, daysAhead: 1.0 / 24);
        factory.Clock.Advance(TimeSpan.FromHours(2));
        return id;
    }

    private async Task<JsonObject> GetAsync(string id) => await (await _client.GetPathAsync($"/api/interviews/{id}")).JsonAsync();

    [Fact]
    public async Task Preparing_records_the_checklist_and_answers_the_interview()
    {
        var (id, etag, _) = await _client.ScheduleAsync(factory);
        var response = await PutAsync(id, "prepare", new { preparationNotes = "STAR examples", researchCompleted = true, questionsPrepped = true, materialsGathered = false });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(etag, response.Headers.ETag!.ToString());
        var body = await response.JsonAsync();
        Assert.Equal("Prepared", body["status"]!.GetValue<string>());
        Assert.Equal("STAR examples", body["preparationNotes"]!.GetValue<string>());
        Assert.True(body["researchCompleted"]!.GetValue<bool>());
        Assert.False(body["materialsGathered"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Preparation_notes_are_at_most_10000_characters()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(id, "prepare", new { preparationNotes = new string('n', 10_000) })).StatusCode);
        await (await PutAsync(id, "prepare", new { preparationNotes = new string('n', 10_001) })).AssertInvalidFieldAsync("preparationNotes");
        Assert.Equal(10_000, (await GetAsync(id))["preparationNotes"]!.GetValue<string>().Length);
    }

    [Fact]
    public async Task Completing_records_notes_rating_and_next_steps()
    {
        var id = await StartedInterviewAsync();
        var response = await PutAsync(id, "complete", new { actualDuration = 55, performanceRating = 4, interviewNotes = "Went well", nextSteps = "Feedback in 3-5 days", followUpRequired = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("Completed", body["status"]!.GetValue<string>());
        Assert.Equal(4, body["performanceRating"]!.GetValue<int>());
        Assert.Equal(55, body["actualDuration"]!.GetValue<int>());
        Assert.True(body["followUpRequired"]!.GetValue<bool>());
        Assert.Equal(Now, DateTimeOffset.Parse(body["completedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Completing_before_the_interview_started_is_a_409()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        var problem = await (await PutAsync(id, "complete", new { performanceRating = 4 })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("interview-not-started", problem["code"]!.GetValue<string>());
        Assert.Equal("Scheduled", (await GetAsync(id))["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("performanceRating", "0")]
    [InlineData("performanceRating", "6")]
    [InlineData("performanceRating", "\"five\"")]
    [InlineData("actualDuration", "0")]
    [InlineData("completedAt", "\"2020-01-01T00:00:00Z\"")]
    [InlineData("completedAt", "\"2099-01-01T00:00:00Z\"")]
    [InlineData("completedAt", "\"yesterday\"")]
    [InlineData("followUpRequired", "\"yes\"")]
    public async Task A_bad_completion_is_a_400_naming_the_field_and_changes_nothing(string field, string json)
    {
        var id = await StartedInterviewAsync();
        var body = new JsonObject { ["performanceRating"] = 3, [field] = JsonNode.Parse(json) };
        await (await PutAsync(id, "complete", body.ToJsonString())).AssertInvalidFieldAsync(field);
        Assert.Equal("Scheduled", (await GetAsync(id))["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task Ratings_1_to_5_are_accepted(int rating)
    {
        var id = await StartedInterviewAsync();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(id, "complete", new { performanceRating = rating })).StatusCode);
    }

    [Fact]
    public async Task Interview_notes_are_at_most_10000_characters()
    {
        var id = await StartedInterviewAsync();
        await (await PutAsync(id, "complete", new { interviewNotes = new string('n', 10_001) })).AssertInvalidFieldAsync("interviewNotes");
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(id, "complete", new { interviewNotes = new string('n', 10_000) })).StatusCode);
    }

    [Fact]
    public async Task Rescheduling_moves_the_interview_and_keeps_history()
    {
        var (id, _, created) = await _client.ScheduleAsync(factory);
        var newTime = Now.AddDays(5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var response = await PutAsync(id, "reschedule", new { newDateTime = newTime, reason = "Scheduling conflict", initiatedBy = "Company" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("Rescheduled", body["status"]!.GetValue<string>());
        Assert.Equal(newTime, body["scheduledAt"]!.GetValue<string>());
        var entry = body["rescheduleHistory"]!.AsArray().Single()!;
        Assert.Equal(created["scheduledAt"]!.GetValue<string>(), entry["previousDateTime"]!.GetValue<string>());
        Assert.Equal(newTime, entry["newDateTime"]!.GetValue<string>());
        Assert.Equal("Scheduling conflict", entry["reason"]!.GetValue<string>());
        Assert.Equal("Company", entry["initiatedBy"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("newDateTime", null)]
    [InlineData("newDateTime", "\"2020-01-01T10:00:00Z\"")]
    [InlineData("newDateTime", "\"soon\"")]
    [InlineData("initiatedBy", null)]
    [InlineData("initiatedBy", "\"Recruiter\"")]
    [InlineData("initiatedBy", "\"0\"")]
    [InlineData("initiatedBy", "\"+1\"")]
    [InlineData("initiatedBy", "\"Candidate,Company\"")]
    [InlineData("reason", "17")]
    public async Task A_bad_reschedule_is_a_400_naming_the_field_and_changes_nothing(string field, string? json)
    {
        var (id, _, created) = await _client.ScheduleAsync(factory);
        var body = new JsonObject
        {
            ["newDateTime"] = Now.AddDays(9).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["initiatedBy"] = "Candidate",
        };
        body.Remove(field);
        if (json is not null)
        {
            body[field] = JsonNode.Parse(json);
        }

        await (await PutAsync(id, "reschedule", body.ToJsonString())).AssertInvalidFieldAsync(field);
        var after = await GetAsync(id);
        Assert.Equal(created["scheduledAt"]!.GetValue<string>(), after["scheduledAt"]!.GetValue<string>());
        Assert.Empty(after["rescheduleHistory"]!.AsArray());
    }

    [Fact]
    public async Task A_reason_over_500_characters_is_rejected()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        var response = await PutAsync(id, "reschedule", new { newDateTime = Now.AddDays(9), reason = new string('r', 501), initiatedBy = "Candidate" });
        await response.AssertInvalidFieldAsync("reason");
    }

    [Fact]
    public async Task A_thank_you_note_after_completion_is_recorded_once()
    {
        var id = await StartedInterviewAsync();
        await PutAsync(id, "complete", new { performanceRating = 5 });
        var response = await _client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", new { recipients = new[] { "jane@techcorp.com" }, method = "Email", notes = "Personal note" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body["thankYouNoteSent"]!.GetValue<bool>());
        Assert.Equal(Now, DateTimeOffset.Parse(body["thankYouSentAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Email", body["thankYouNote"]!["method"]!.GetValue<string>());

        var again = await _client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", new { recipients = new[] { "x@y.z" }, method = "Email" });
        var problem = await again.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("thank-you-already-recorded", problem["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_thank_you_note_before_completion_is_a_409_even_with_a_bad_body()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        var problem = await (await _client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", new { method = "Pigeon" })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("interview-not-completed", problem["code"]!.GetValue<string>());
        Assert.False((await GetAsync(id))["thankYouNoteSent"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("recipients", "[]")]
    [InlineData("recipients", "[\"\"]")]
    [InlineData("method", "\"Pigeon\"")]
    [InlineData("method", "\"Email,LinkedIn\"")]
    [InlineData("method", "\"+1\"")]
    [InlineData("method", null)]
    public async Task A_bad_thank_you_note_is_a_400_naming_the_field(string field, string? json)
    {
        var id = await StartedInterviewAsync();
        await PutAsync(id, "complete", new { performanceRating = 3 });
        var body = new JsonObject { ["recipients"] = new JsonArray("jane@techcorp.com"), ["method"] = "Email" };
        body.Remove(field);
        if (json is not null)
        {
            body[field] = JsonNode.Parse(json);
        }

        var response = await _client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", body.ToJsonString());
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(problem["errors"]!.AsObject(), e => e.Key.StartsWith(field, StringComparison.Ordinal));
        Assert.False((await GetAsync(id))["thankYouNoteSent"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Updating_replaces_the_details_but_not_the_time()
    {
        var (id, _, created) = await _client.ScheduleAsync(factory);
        var update = ApiClient.ScheduleRequest(DateTimeOffset.Parse(created["scheduledAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), ("interviewType", "Panel"), ("duration", 90), ("interviewers", new JsonArray("A", "B", "C")), ("location", null));
        var response = await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", update.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("Panel", body["interviewType"]!.GetValue<string>());
        Assert.Equal(90, body["duration"]!.GetValue<int>());
        Assert.Equal(3, body["interviewers"]!.AsArray().Count);
        Assert.Null(body["location"]);
        Assert.Equal("Scheduled", body["status"]!.GetValue<string>());

        var moved = ApiClient.ScheduleRequest(Now.AddDays(10));
        var refused = await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", moved.ToJsonString());
        await refused.AssertInvalidFieldAsync("scheduledAt");
        Assert.Equal(created["scheduledAt"]!.GetValue<string>(), (await GetAsync(id))["scheduledAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_update_is_validated_like_a_schedule()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        var update = ApiClient.ScheduleRequest(Now.AddDays(3), ("duration", 481), ("scheduledAt", null));
        await (await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", update.ToJsonString())).AssertInvalidFieldAsync("duration");
        Assert.Equal(60, (await GetAsync(id))["duration"]!.GetValue<int>());
    }

    [Fact]
    public async Task Deleting_cancels_the_interview_which_stays_readable()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        var response = await _client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("Cancelled", (await GetAsync(id))["status"]!.GetValue<string>());
        // Deleting again is idempotent.
        Assert.Equal(HttpStatusCode.NoContent, (await _client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null)).StatusCode);
    }

    [Theory]
    [InlineData("prepare")]
    [InlineData("complete")]
    [InlineData("reschedule")]
    public async Task Commands_on_a_cancelled_interview_are_409(string command)
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        await _client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null);
        var body = new { newDateTime = Now.AddDays(9), initiatedBy = "Candidate", performanceRating = 3 };
        var problem = await (await PutAsync(id, command, body)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.EndsWith("-not-allowed", problem["code"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Cancelled", (await GetAsync(id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stale_if_match_is_a_412_and_changes_nothing()
    {
        var (id, etag, _) = await _client.ScheduleAsync(factory);
        var first = await PutAsync(id, "prepare", new { preparationNotes = "v1" }, etag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var stale = await PutAsync(id, "prepare", new { preparationNotes = "v2" }, etag);
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("v1", (await GetAsync(id))["preparationNotes"]!.GetValue<string>());

        var current = first.Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(id, "prepare", new { preparationNotes = "v3" }, current)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(id, "prepare", new { preparationNotes = "v4" }, "*")).StatusCode);
    }

    [Theory]
    [InlineData("\"nope\"")]
    [InlineData("W/\"weak\"")]
    [InlineData("garbage")]
    public async Task If_match_is_honoured_on_delete(string ifMatch)
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);
        await (await _client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null, ifMatch)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("Scheduled", (await GetAsync(id))["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11")]
    public async Task An_unknown_id_is_a_404_problem_on_every_endpoint(string id)
    {
        var body = new { preparationNotes = "x" };
        foreach (var response in new[]
        {
            await _client.GetPathAsync($"/api/interviews/{id}"),
            await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", body),
            await _client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null),
            await PutAsync(id, "prepare", body),
            await PutAsync(id, "complete", body),
            await PutAsync(id, "reschedule", body),
            await _client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", body),
        })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal("not-found", problem["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_problem_json()
    {
        await (await _client.GetPathAsync("/api/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.SendJsonAsync(HttpMethod.Patch, "/api/interviews", new { })).AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }
}
