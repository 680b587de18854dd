using System.Net;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>Concurrent commands on one interview: without If-Match none is lost; with it, exactly one wins.</summary>
public sealed class ConcurrencyTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    [Fact]
    public async Task Twenty_concurrent_reschedules_are_all_kept()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        var start = factory.Clock.GetUtcNow().AddDays(10);
        var responses = await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = start.AddHours(i), reason = $"move {i}", initiatedBy = "Candidate" })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var interview = await (await client.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        var history = interview["rescheduleHistory"]!.AsArray();
        Assert.Equal(20, history.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"move {i}").Order(), history.Select(h => h!["reason"]!.GetValue<string>()).Order());
        // The history is a chain: each entry starts where the previous one ended.
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1]!["newDateTime"]!.GetValue<string>(), history[i]!["previousDateTime"]!.GetValue<string>());
        }

        Assert.Equal(history[^1]!["newDateTime"]!.GetValue<string>(), interview["scheduledAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_writes_with_the_same_if_match_let_exactly_one_win()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, etag, _) = await client.ScheduleAsync(factory);
        var responses = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { preparationNotes = $"v{i}" }, etag)));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).JsonAsync();
        var stored = await (await client.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal(winner["preparationNotes"]!.GetValue<string>(), stored["preparationNotes"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_schedules_each_create_one_interview()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var request = ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(2)).ToJsonString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.SendJsonAsync(HttpMethod.Post, "/api/interviews", request)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var page = await (await client.GetPathAsync("/api/interviews?limit=200")).JsonAsync();
        Assert.Equal(20, page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).Distinct().Count());
    }
}
