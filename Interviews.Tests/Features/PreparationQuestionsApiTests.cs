using Interviews.Functions.Calendar;
using System.Net;
using System.Text.Json.Nodes;
using Interviews.Domain;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;

namespace Interviews.Tests.Features;

/// <summary>Preparation questions over HTTP and in the reminder e-mail.</summary>
public sealed class PreparationQuestionsApiTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private static JsonArray Questions(int count, int questionLength, int notesLength) =>
        [.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["question"] = new string('q', questionLength), ["answerNotes"] = new string('a', notesLength) })];

    [Fact]
    public async Task Questions_are_answered_by_the_prepare_and_get_responses()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, created) = await client.ScheduleAsync(factory);
        Assert.Empty(created["questions"]!.AsArray());

        var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new
        {
            questionsPrepped = true,
            questions = new object[] { new { question = "Why us?", answerNotes = "Mission and product" }, new { question = "Biggest failure" } },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = """[{"question":"Why us?","answerNotes":"Mission and product"},{"question":"Biggest failure","answerNotes":null}]""";
        Assert.Equal(expected, (await response.JsonAsync())["questions"]!.ToJsonString());
        Assert.Equal(expected, (await (await client.GetPathAsync($"/api/interviews/{id}")).JsonAsync())["questions"]!.ToJsonString());
    }

    [Fact]
    public async Task Fifty_questions_at_their_bounds_fit_in_one_request()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new JsonObject { ["questions"] = Questions(50, 1_000, 4_000) }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, (await response.JsonAsync())["questions"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(51, 10, 10, "questions")]
    [InlineData(4, 1_001, 10, "questions[0].question")]
    [InlineData(4, 10, 4_001, "questions[0].answerNotes")]
    [InlineData(1, 0, 10, "questions[0].question")]
    public async Task Questions_beyond_the_bounds_are_a_400_naming_the_field(int count, int questionLength, int notesLength, string field)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, etag, _) = await client.ScheduleAsync(factory);
        var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new JsonObject { ["questions"] = Questions(count, questionLength, notesLength) }.ToJsonString());
        await response.AssertInvalidFieldAsync(field);
        Assert.Equal(etag, (await client.GetPathAsync($"/api/interviews/{id}")).Headers.ETag!.ToString());
    }

    [Theory]
    [InlineData("""{"questions": "Why us?"}""", "questions")]
    [InlineData("""{"questions": [{"question": 42}]}""", "questions[0].question")]
    [InlineData("""{"questions": [{"question": "a"}, {"question": "b", "answerNotes": ["x"]}]}""", "questions[1].answerNotes")]
    [InlineData("""{"questions": [null]}""", "questions[0]")]
    public async Task Questions_of_the_wrong_shape_are_a_400_naming_the_field(string body, string field)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        await (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", body)).AssertInvalidFieldAsync(field);
    }

    [Fact]
    public async Task A_prepare_body_over_1_MB_is_a_413()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new JsonObject { ["preparationNotes"] = new string('x', 1024 * 1024) }.ToJsonString());
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Another_users_interview_is_a_404_and_keeps_its_questions()
    {
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await alice.ScheduleAsync(factory);
        Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { questions = new[] { new { question = "Mine" } } })).StatusCode);
        await (await bob.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { questions = Array.Empty<object>() })).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Single((await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync())["questions"]!.AsArray());
    }

    [Fact]
    public void The_reminder_email_lists_the_questions_with_their_notes()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        Assert.True(interview.Prepare(null, true, true, false, builder.Now, [new("Why us?", "Mission\nand product"), new("Salary expectations", null)]).IsSuccess);
        var reminder = new Reminder(interview.UserId, interview.Id, ReminderKind.Before, 60, interview.ScheduledAt.AddHours(-1), interview.ScheduledAt.AddHours(-1), ReminderStatus.Due, 0, null, null);

        var message = ReminderEmail.Compose("r1", reminder, interview, NotificationSettings.Default, "reminders@example.com", "me@example.com", builder.Now, new InterviewCalendarFiles().ForInterview(interview, builder.Now, "reminders@example.com", "me@example.com"));

        var text = message.TextBody!.ReplaceLineEndings("\n");
        Assert.Contains("Questions you expect:\n  1. Why us?\n     Notes: Mission\n            and product\n  2. Salary expectations\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reminder_email_without_questions_has_no_questions_section()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build(InterviewStatus.Prepared);
        var reminder = new Reminder(interview.UserId, interview.Id, ReminderKind.Before, 60, interview.ScheduledAt, interview.ScheduledAt, ReminderStatus.Due, 0, null, null);
        var message = ReminderEmail.Compose("r1", reminder, interview, NotificationSettings.Default, "reminders@example.com", "me@example.com", builder.Now, new InterviewCalendarFiles().ForInterview(interview, builder.Now, "reminders@example.com", "me@example.com"));
        Assert.DoesNotContain("Questions you expect", message.TextBody, StringComparison.Ordinal);
    }
}
