using System.Net;
using System.Text;
using Interviews.Tests.Support;

namespace Interviews.Tests.EndToEnd;

/// <summary>Expected failures are RFC 9457 problems with a code and a trace id, never a stack trace.</summary>
public abstract class ProblemTests(ApiHost host)
{
    [Fact]
    public async Task Bad_input_is_400_with_an_errors_map_naming_each_field()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(host.Now.AddDays(1), ("duration", 5), ("timezone", "Mars/Base")));
        var problem = await response.AssertInvalidFieldAsync("duration");
        Assert.True(problem["errors"]!.AsObject().ContainsKey("timezone"));
        Assert.Equal("validation", problem["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_users_interview_is_404_like_one_that_does_not_exist()
    {
        host.Require();
        using var owner = host.ClientFor(TestUser.New());
        using var other = host.ClientFor(TestUser.New());
        var (id, _, _) = await owner.ScheduleAtAsync(host.Now.AddDays(1));

        var theirs = await other.GetPathAsync($"/api/interviews/{id}");
        var missing = await other.GetPathAsync($"/api/interviews/{Guid.NewGuid()}");
        var a = await theirs.AssertProblemAsync(HttpStatusCode.NotFound);
        var b = await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(a["code"]!.GetValue<string>(), b["code"]!.GetValue<string>());
        Assert.Equal(a["detail"]!.GetValue<string>(), b["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await other.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { preparationNotes = "x" })).StatusCode);
    }

    [Fact]
    public async Task A_command_the_status_does_not_allow_is_409()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var (id, _, _) = await client.ScheduleAtAsync(host.Now.AddDays(1));
        var response = await client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", new { recipients = new[] { "jane@example.com" }, method = "Email" });
        Assert.Equal("interview-not-completed", (await response.AssertProblemAsync(HttpStatusCode.Conflict))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_over_64_KB_is_413()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var body = ApiClient.ScheduleRequest(host.Now.AddDays(1), ("location", new string('x', 70 * 1024)));
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", body);
        Assert.Equal("body-too-large", (await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_not_sent_as_JSON_is_415()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        using var content = new StringContent(ApiClient.ScheduleRequest(host.Now.AddDays(1)).ToJsonString(), Encoding.UTF8, "text/plain");
        var response = await client.PostAsync("/api/interviews", content, TestContext.Current.CancellationToken);
        Assert.Equal("unsupported-media-type", (await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_JSON_is_400_and_no_answer_carries_a_stack_trace()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        using var content = new StringContent("{\"applicationId\": ", Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/api/interviews", content, TestContext.Current.CancellationToken);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }
}

[Collection(LocalHostCollection.Name)]
public sealed class LocalHostProblemTests(LocalHostApi host) : ProblemTests(host);

[Collection(FunctionsWorkerCollection.Name)]
public sealed class FunctionsWorkerProblemTests(FunctionsWorkerApi host) : ProblemTests(host);
