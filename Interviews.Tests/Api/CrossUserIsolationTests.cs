using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>Another user's interview is invisible: every endpoint answers as if it did not exist, and it stays unchanged.</summary>
public sealed class CrossUserIsolationTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    [Fact]
    public async Task Every_endpoint_answers_404_for_another_users_interview_exactly_as_for_a_missing_one()
    {
        var alice = factory.ClientFor(LocalHostFactory.NewUser());
        var mallory = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, etag, _) = await alice.ScheduleAsync(factory, 1.0 / 24);
        var before = await (await alice.GetPathAsync($"/api/interviews/{id}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var missing = Guid.NewGuid().ToString();
        var update = ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(1)).ToJsonString();

        var requests = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, "/api/interviews/{0}", null),
            (HttpMethod.Put, "/api/interviews/{0}", update),
            (HttpMethod.Put, "/api/interviews/{0}/prepare", new { preparationNotes = "mine now" }),
            (HttpMethod.Put, "/api/interviews/{0}/complete", new { performanceRating = 1 }),
            (HttpMethod.Put, "/api/interviews/{0}/reschedule", new { newDateTime = factory.Clock.GetUtcNow().AddDays(9), initiatedBy = "Company" }),
            (HttpMethod.Post, "/api/interviews/{0}/thank-you", new { recipients = new[] { "x@y.z" }, method = "Email" }),
            (HttpMethod.Delete, "/api/interviews/{0}", null),
        };

        foreach (var (method, path, body) in requests)
        {
            var theirs = await mallory.SendJsonAsync(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, id), body, ifMatch: method == HttpMethod.Get ? null : etag);
            var nobodys = await mallory.SendJsonAsync(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, missing), body);
            var theirProblem = await theirs.AssertProblemAsync(HttpStatusCode.NotFound);
            var missingProblem = await nobodys.AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal(Comparable(missingProblem, missing), Comparable(theirProblem, id));
            Assert.Null(theirs.Headers.ETag);
        }

        var after = await (await alice.GetPathAsync($"/api/interviews/{id}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(before, after);
    }

    /// <summary>The problem without what must differ: the trace id and the id in the path.</summary>
    private static string Comparable(JsonObject problem, string id)
    {
        var copy = problem.DeepClone().AsObject();
        copy.Remove("traceId");
        copy["instance"] = copy["instance"]!.GetValue<string>().Replace(id, "{id}", StringComparison.Ordinal);
        return copy.ToJsonString();
    }
}
