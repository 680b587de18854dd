using System.Net;
using System.Text.Json.Nodes;
using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>
/// Every array of a request has the contract's maxItems, and the body reader stops at the first element
/// past it: a ten-thousand-element array is a small 400 naming the array. Within the limits, an array's
/// invalid elements are reported ten at a time, with one entry counting the rest.
/// </summary>
public sealed class LongArrayTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private static JsonArray Many(int count, Func<int, JsonNode?> element) => new([.. Enumerable.Range(0, count).Select(element)]);

    public static TheoryData<string, string, string, int> OverLongArrays => new()
    {
        { "POST", "interviews", "interviewers", 20 },
        { "PUT", "interviews/{id}", "interviewers", 20 },
        { "PUT", "interviews/{id}/prepare", "questions", 50 },
        { "PUT", "me/notification-settings", "reminderMinutesBefore", 5 },
        { "POST", "interviews/{id}/thank-you", "recipients", 20 },
    };

    [Theory]
    [MemberData(nameof(OverLongArrays))]
    public async Task A_ten_thousand_element_array_is_a_small_400_naming_the_array_and_its_limit(string method, string path, string field, int max)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        var body = path == "interviews" || path == "interviews/{id}" ? ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(3)) : [];
        if (path == "interviews/{id}")
        {
            body.Remove("scheduledAt");
        }

        body[field] = Many(10_000, i => field switch
        {
            "questions" => new JsonObject { ["question"] = "" },
            "reminderMinutesBefore" => -i,
            _ => "",
        });
        var response = await client.SendJsonAsync(new HttpMethod(method), "/api/" + path.Replace("{id}", id, StringComparison.Ordinal), body.ToJsonString());

        var problem = await response.AssertInvalidFieldAsync(field);
        Assert.Equal([field], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal($"At most {max} items.", problem["errors"]![field]![0]!.GetValue<string>());
        Assert.True(response.Content.Headers.ContentLength is null or < 2048, $"The answer has {response.Content.Headers.ContentLength} bytes.");
    }

    [Fact]
    public async Task An_array_at_its_limit_is_read_and_its_elements_checked()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(3), ("interviewers", Many(20, i => $"Interviewer {i}"))));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(20, (await response.JsonAsync())["interviewers"]!.AsArray().Count);
    }

    [Fact]
    public async Task Fifty_invalid_questions_report_ten_element_fields_and_one_entry_counting_the_rest()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        var questions = Many(50, _ => new JsonObject { ["question"] = " ", ["answerNotes"] = new string('n', InterviewLimits.MaxAnswerNotes + 1) });

        var problem = await (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new JsonObject { ["questions"] = questions }.ToJsonString()))
            .AssertInvalidFieldAsync("questions[…]");

        var fields = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Equal(ValidationErrors.MaxElementFields + 1, fields.Count);
        Assert.Equal(["questions[0].answerNotes", "questions[0].question", "questions[1].answerNotes", "questions[1].question"], fields.Where(f => f.StartsWith("questions[0]", StringComparison.Ordinal) || f.StartsWith("questions[1]", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.StartsWith("90 more invalid element fields of questions", problem["errors"]!["questions[…]"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_errors_list_ten_fields_of_each_array_and_count_the_rest_per_array()
    {
        var errors = new ValidationErrors();
        for (var i = 0; i < 25; i++)
        {
            errors.Add($"interviewers[{i}]", "Empty.");
            errors.Add($"recipients[{i}]", "Empty.");
        }

        errors.Add("interviewers[3]", "Also too long.").Add("duration", "Too long.");

        var fields = errors.ToError().Fields!;
        Assert.Equal(2 * (ValidationErrors.MaxElementFields + 1) + 1, fields.Count);
        Assert.Equal(["Empty.", "Also too long."], fields["interviewers[3]"]);
        Assert.False(fields.ContainsKey("interviewers[10]"));
        Assert.StartsWith("15 more", fields["recipients[…]"][0], StringComparison.Ordinal);
        Assert.Equal(["Too long."], fields["duration"]);
    }
}
