using Interviews.Functions.Interviews;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.Functions.Storage;
using Interviews.Tests.Support;

namespace Interviews.Tests.Features;

/// <summary>Safe retries: POST /interviews and POST /interviews/{id}/thank-you with an Idempotency-Key.</summary>
public sealed class IdempotencyTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private string Schedule(double daysAhead = 3) => ApiClient.ScheduleRequest(Now.AddDays(daysAhead)).ToJsonString();

    private static async Task<int> CountAsync(HttpClient client) =>
        (await (await client.GetPathAsync("/api/interviews?limit=200")).JsonAsync())["items"]!.AsArray().Count;

    [Fact]
    public async Task A_repeated_schedule_answers_the_original_status_and_body_and_creates_nothing()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var body = Schedule();
        var first = await PostAsync(client, "/api/interviews", body, "key-1");
        var second = await PostAsync(client, "/api/interviews", body, "key-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await CountAsync(client));
    }

    [Fact]
    public async Task The_same_body_with_other_whitespace_and_property_order_is_the_same_request()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var request = ApiClient.ScheduleRequest(Now.AddDays(3));
        var reordered = new JsonObject(request.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, "/api/interviews", request.ToJsonString(), "k")).StatusCode);
        var repeat = await PostAsync(client, "/api/interviews", reordered.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), "k");
        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal(1, await CountAsync(client));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_422_and_changes_nothing()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, "/api/interviews", Schedule(3), "key-2")).StatusCode);
        var reused = await PostAsync(client, "/api/interviews", Schedule(4), "key-2");
        var problem = await reused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency-key-reused", problem["code"]!.GetValue<string>());
        Assert.Equal(1, await CountAsync(client));
    }

    [Fact]
    public async Task Keys_are_per_user()
    {
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        var body = Schedule();
        var a = await (await PostAsync(alice, "/api/interviews", body, "shared")).JsonAsync();
        var b = await PostAsync(bob, "/api/interviews", body, "shared");
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.False(b.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(a["id"]!.GetValue<string>(), (await b.JsonAsync())["id"]!.GetValue<string>());
        // Bob's other body under the same key is no 422 for Alice.
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(alice, "/api/interviews", body, "shared")).StatusCode);
        Assert.Equal(1, await CountAsync(alice));
        Assert.Equal(1, await CountAsync(bob));
    }

    [Fact]
    public async Task Concurrent_repeats_create_one_interview()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var body = Schedule();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => PostAsync(client, "/api/interviews", body, "burst")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.JsonAsync())["id"]!.GetValue<string>()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await CountAsync(client));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(1000)]
    public async Task An_empty_or_too_long_key_is_a_400_naming_the_header(int length)
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var response = await PostAsync(client, "/api/interviews", Schedule(), new string('k', length));
        await response.AssertInvalidFieldAsync("Idempotency-Key");
        Assert.Equal(0, await CountAsync(client));
    }

    [Fact]
    public async Task A_key_of_255_characters_is_accepted()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var key = new string('k', 255);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, "/api/interviews", Schedule(), key)).StatusCode);
        Assert.Equal("true", (await PostAsync(client, "/api/interviews", Schedule(), key)).Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task A_failed_request_is_not_remembered_so_it_can_be_retried_with_the_same_key()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        await (await PostAsync(client, "/api/interviews", """{"interviewType": "Coffee"}""", "retry")).AssertInvalidFieldAsync("interviewType");
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, "/api/interviews", Schedule(), "retry")).StatusCode);
    }

    [Fact]
    public async Task A_key_is_remembered_for_24_hours()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var body = ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(5)).ToJsonString();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, "/api/interviews", body, "day")).StatusCode);
        factory.Clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.True((await PostAsync(client, "/api/interviews", body, "day")).Headers.Contains("Idempotent-Replayed"));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var later = await PostAsync(client, "/api/interviews", body, "day");
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
        Assert.False(later.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await CountAsync(client));
        // The new answer is remembered in turn.
        Assert.True((await PostAsync(client, "/api/interviews", body, "day")).Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await CountAsync(client));
    }

    [Fact]
    public async Task A_replay_after_the_interview_changed_is_the_original_body_without_an_etag()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var body = Schedule();
        var first = await PostAsync(client, "/api/interviews", body, "then");
        var id = (await first.JsonAsync())["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { researchCompleted = true })).StatusCode);
        var replay = await PostAsync(client, "/api/interviews", body, "then");
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("Scheduled", (await replay.JsonAsync())["status"]!.GetValue<string>());
        Assert.Null(replay.Headers.ETag);
    }

    [Fact]
    public async Task A_repeated_thank_you_note_answers_the_original_and_records_one_note()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory, daysAhead: 1.0 / 24);
        factory.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { performanceRating = 4 })).StatusCode);
        var thanks = """{"recipients": ["jane@example.com"], "method": "Email", "notes": "Thanks"}""";
        var path = $"/api/interviews/{id}/thank-you";

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostAsync(client, path, thanks, "thanks-1")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Single(bodies.Distinct());
        Assert.Equal(5, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));

        var other = await PostAsync(client, path, """{"recipients": ["john@example.com"], "method": "Email"}""", "thanks-1");
        Assert.Equal("idempotency-key-reused", (await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity))["code"]!.GetValue<string>());
        var newKey = await PostAsync(client, path, thanks, "thanks-2");
        Assert.Equal("thank-you-already-recorded", (await newKey.AssertProblemAsync(HttpStatusCode.Conflict))["code"]!.GetValue<string>());
        var withoutKey = await PostAsync(client, path, thanks, null);
        Assert.Equal(HttpStatusCode.Conflict, withoutKey.StatusCode);
    }

    [Fact]
    public async Task A_thank_you_key_is_per_interview_and_per_user()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        var (first, _, _) = await alice.ScheduleAsync(factory, daysAhead: 1.0 / 24);
        var (second, _, _) = await alice.ScheduleAsync(factory, daysAhead: 1.5 / 24);
        factory.Clock.Advance(TimeSpan.FromHours(2));
        foreach (var id in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { })).StatusCode);
        }

        var thanks = """{"recipients": ["jane@example.com"], "method": "Email"}""";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(alice, $"/api/interviews/{first}/thank-you", thanks, "same")).StatusCode);
        var onSecond = await PostAsync(alice, $"/api/interviews/{second}/thank-you", thanks, "same");
        Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        Assert.False(onSecond.Headers.Contains("Idempotent-Replayed"));
        // Bob cannot replay Alice's answer with her key: her interview is a 404 for him.
        await (await PostAsync(bob, $"/api/interviews/{first}/thank-you", thanks, "same")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await PostAsync(alice, $"/api/interviews/{first}/thank-you", thanks, new string('x', 256))).AssertInvalidFieldAsync("Idempotency-Key");
    }

    [Fact]
    public async Task The_record_lives_in_the_users_partition_under_a_hash_of_the_key()
    {
        using var client = factory.ClientFor(LocalHostFactory.NewUser());
        var response = await PostAsync(client, "/api/interviews", Schedule(), "stored");
        var id = Guid.Parse((await response.JsonAsync())["id"]!.GetValue<string>());
        var container = new SqliteDocumentContainer(factory.DatabasePath, [], factory.Clock);
        var userId = await UserIdAsync(container, id);
        var record = await container.ReadAsync(userId, Idempotency.Id("POST /interviews", "stored"), TestContext.Current.CancellationToken);
        Assert.NotNull(record);
        Assert.Equal(Idempotency.Kind, record.Kind);
        Assert.DoesNotContain("stored\"", record.Json, StringComparison.Ordinal);
    }

    /// <summary>The partition of an interview, found by scanning for its id (tests only).</summary>
    private static async Task<string> UserIdAsync(SqliteDocumentContainer container, Guid interviewId)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={container.Path}");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pk FROM documents WHERE id = $id";
        command.Parameters.AddWithValue("$id", interviewId.ToString("D"));
        return (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
