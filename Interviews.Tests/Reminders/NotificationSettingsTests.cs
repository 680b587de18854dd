using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Reminders;

/// <summary>GET and PUT /api/me/notification-settings: defaults, validation at the bounds, and their effect on reminders.</summary>
public sealed class NotificationSettingsTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private const string Path = "/api/me/notification-settings";

    [Fact]
    public async Task The_defaults_are_24_and_1_hour_before_nudges_on_and_the_tokens_address()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser(), "me@example.com");
        var response = await client.GetPathAsync(Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("me@example.com", body["email"]!.GetValue<string>());
        Assert.Equal("token", body["emailSource"]!.GetValue<string>());
        Assert.Equal([60, 1440], body["reminderMinutesBefore"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.True(body["nudgesEnabled"]!.GetValue<bool>());
        Assert.True(body["remindersEnabled"]!.GetValue<bool>());
        Assert.Null(body["timezone"]);
    }

    [Fact]
    public async Task A_chosen_address_and_offsets_are_kept()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser(), "me@example.com");
        var put = await client.SendJsonAsync(HttpMethod.Put, Path, new { email = "other@example.com", reminderMinutesBefore = new[] { 0, 10080, 30 }, nudgesEnabled = false, timezone = "Asia/Tokyo" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.NotNull(put.Headers.ETag);
        var body = await (await client.GetPathAsync(Path)).JsonAsync();
        Assert.Equal("other@example.com", body["email"]!.GetValue<string>());
        Assert.Equal("settings", body["emailSource"]!.GetValue<string>());
        Assert.Equal([0, 30, 10080], body["reminderMinutesBefore"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.False(body["nudgesEnabled"]!.GetValue<bool>());
        Assert.Equal("Asia/Tokyo", body["timezone"]!.GetValue<string>());
    }

    [Fact]
    public async Task Quiet_hours_and_the_digest_time_are_kept_as_given_and_none_by_default()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser(), "me@example.com");
        Assert.Null((await (await client.GetPathAsync(Path)).JsonAsync())["quietHours"]);
        var put = await client.SendJsonAsync(HttpMethod.Put, Path, new { quietHours = new { start = "22:00", end = "07:30" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var quiet = (await (await client.GetPathAsync(Path)).JsonAsync())["quietHours"]!;
        Assert.Equal("22:00", quiet["start"]!.GetValue<string>());
        Assert.Equal("07:30", quiet["end"]!.GetValue<string>());
        Assert.Null((await (await client.GetPathAsync(Path)).JsonAsync())["morningDigestAt"]);
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, Path, new { morningDigestAt = "07:45" })).StatusCode);
        Assert.Equal("07:45", (await (await client.GetPathAsync(Path)).JsonAsync())["morningDigestAt"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("quietHours.start", """{"start": "24:00", "end": "07:00"}""")]
    [InlineData("quietHours.start", """{"start": "7:00", "end": "08:00"}""")]
    [InlineData("quietHours.end", """{"start": "22:00"}""")]
    [InlineData("quietHours", """{"start": "22:00", "end": "22:00"}""")]
    [InlineData("morningDigestAt", "\"7:30\"")]
    public async Task Bad_quiet_hours_or_digest_time_are_a_400_naming_the_field(string field, string json)
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var body = new JsonObject { [field.Split('.')[0]] = JsonNode.Parse(json) };
        await (await client.SendJsonAsync(HttpMethod.Put, Path, body.ToJsonString())).AssertInvalidFieldAsync(field);
    }

    [Theory]
    [InlineData("email", "\"not an address\"")]
    [InlineData("email", "\"a@b@c\"")]
    [InlineData("email", "17")]
    [InlineData("reminderMinutesBefore", "[1, 2, 3, 4, 5, 6]")]
    [InlineData("reminderMinutesBefore", "[60, 60]")]
    [InlineData("reminderMinutesBefore[0]", "[-1]")]
    [InlineData("reminderMinutesBefore[0]", "[10081]")]
    [InlineData("reminderMinutesBefore", "\"60\"")]
    [InlineData("timezone", "\"Moon/Base\"")]
    [InlineData("nudgesEnabled", "\"yes\"")]
    public async Task Bad_settings_are_a_400_naming_the_field_and_change_nothing(string field, string json)
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var body = new JsonObject { [field.Split('[')[0]] = JsonNode.Parse(json) };
        await (await client.SendJsonAsync(HttpMethod.Put, Path, body.ToJsonString())).AssertInvalidFieldAsync(field);
        var settings = await (await client.GetPathAsync(Path)).JsonAsync();
        Assert.Equal([60, 1440], settings["reminderMinutesBefore"]!.AsArray().Select(n => n!.GetValue<int>()));
    }

    [Fact]
    public async Task Settings_are_per_user_and_need_a_token()
    {
        var alice = factory.ClientFor(LocalHostFactory.NewUser());
        await alice.SendJsonAsync(HttpMethod.Put, Path, new { email = "alice@example.com" });
        var bob = await (await factory.ClientFor(LocalHostFactory.NewUser()).GetPathAsync(Path)).JsonAsync();
        Assert.Null(bob["email"]);
        await (await factory.ClientFor(null).GetPathAsync(Path)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_stale_if_match_is_a_412()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var first = await client.SendJsonAsync(HttpMethod.Put, Path, new { nudgesEnabled = false });
        var etag = first.Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, Path, new { nudgesEnabled = true }, etag)).StatusCode);
        await (await client.SendJsonAsync(HttpMethod.Put, Path, new { nudgesEnabled = false }, etag)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }
}

/// <summary>Settings change what is planned: the planner re-plans the user's open interviews.</summary>
public sealed class SettingsReplanTests : ReminderScenario
{
    protected override string Address => "me@example.com";

    [Fact]
    public async Task Changing_the_offsets_replans_and_turning_reminders_off_sends_nothing()
    {
        var client = Client;
        await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { nudgesEnabled = false });
        await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero)).ToJsonString());
        await Factory.RunTimerAsync("EventPump");

        // Only 2 hours before from now on.
        await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { reminderMinutesBefore = new[] { 120 }, nudgesEnabled = false });
        await Factory.RunTimerAsync("EventPump");
        Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 9, 14, 0, 0, TimeSpan.Zero));
        await Factory.RunTimerAsync("SendReminders");
        Assert.Empty(Smtp.Messages);
        Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        await Factory.RunTimerAsync("SendReminders");
        Assert.StartsWith("Reminder: Video interview in 2 hours", Assert.Single(Smtp.Messages).Subject, StringComparison.Ordinal);

        await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { reminderMinutesBefore = new[] { 30 }, remindersEnabled = false });
        await Factory.RunTimerAsync("EventPump");
        Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 13, 30, 0, TimeSpan.Zero));
        await Factory.RunTimerAsync("SendReminders");
        Assert.Single(Smtp.Messages);
    }
}
