using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary><c>reminderMinutesBefore</c> of an interview over HTTP: set when scheduling and updating, answered, exported, and refused by name.</summary>
public sealed class ReminderOffsetsApiTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private readonly HttpClient _client = factory.ClientFor(LocalHostFactory.NewUser());

    private JsonObject Request(params (string Field, JsonNode? Value)[] changes) => ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(3), changes);

    private Task<HttpResponseMessage> ScheduleAsync(JsonObject body) => _client.SendJsonAsync(HttpMethod.Post, "/api/interviews", body.ToJsonString());

    [Fact]
    public async Task Scheduled_offsets_are_answered_ascending_and_absent_ones_as_null()
    {
        var own = await (await ScheduleAsync(Request(("reminderMinutesBefore", new JsonArray(1440, 15))))).JsonAsync();
        var following = await (await ScheduleAsync(Request())).JsonAsync();
        var explicitNull = Request();
        explicitNull["reminderMinutesBefore"] = null;
        var followingToo = await (await ScheduleAsync(explicitNull)).JsonAsync();

        Assert.Equal([15, 1440], own["reminderMinutesBefore"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Null(following["reminderMinutesBefore"]);
        Assert.True(following.ContainsKey("reminderMinutesBefore"));
        Assert.Null(followingToo["reminderMinutesBefore"]);
    }

    [Theory]
    [InlineData("[-1]", "reminderMinutesBefore[0]")]
    [InlineData("[30, 10081]", "reminderMinutesBefore[1]")]
    [InlineData("[30, 30]", "reminderMinutesBefore")]
    [InlineData("[1, 2, 3, 4, 5, 6]", "reminderMinutesBefore")]
    [InlineData("[\"soon\"]", "reminderMinutesBefore[0]")]
    public async Task Invalid_offsets_are_a_400_naming_reminderMinutesBefore(string offsets, string field)
    {
        var body = Request();
        body["reminderMinutesBefore"] = JsonNode.Parse(offsets);

        var (id, _, _) = await _client.ScheduleAsync(factory);
        var update = body.DeepClone().AsObject();
        update.Remove("scheduledAt");

        await (await ScheduleAsync(body)).AssertInvalidFieldAsync(field);
        await (await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", update.ToJsonString())).AssertInvalidFieldAsync(field);
    }

    [Fact]
    public async Task An_update_sets_clears_and_empties_the_offsets()
    {
        var (id, _, _) = await _client.ScheduleAsync(factory);

        var none = await (await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", Request(("scheduledAt", null), ("reminderMinutesBefore", new JsonArray())).ToJsonString())).JsonAsync();
        Assert.Empty(none["reminderMinutesBefore"]!.AsArray());

        var own = await (await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", Request(("scheduledAt", null), ("reminderMinutesBefore", new JsonArray(45))).ToJsonString())).JsonAsync();
        Assert.Equal([45], own["reminderMinutesBefore"]!.AsArray().Select(n => n!.GetValue<int>()));

        // Like every detail, an update that leaves it out clears it: back to the user's settings.
        var cleared = await (await _client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", Request(("scheduledAt", null)).ToJsonString())).JsonAsync();
        Assert.Null(cleared["reminderMinutesBefore"]);
    }

    [Fact]
    public async Task The_export_holds_the_offsets()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory, 3, ("reminderMinutesBefore", new JsonArray(90)));

        var export = await (await client.GetPathAsync("/api/me/export")).JsonAsync();

        var interview = Assert.Single(export["interviews"]!.AsArray(), i => i!["id"]!.GetValue<string>() == id)!;
        Assert.Equal([90], interview["reminderMinutesBefore"]!.AsArray().Select(n => n!.GetValue<int>()));
    }
}
