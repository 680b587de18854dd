using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Calendar;

/// <summary>The ICS file of one interview and the personal subscription feed, over HTTP, parsed by a third-party parser (ical.js).</summary>
public sealed class IcsFeedTests
{
    [Fact]
    public async Task One_interview_is_an_ics_file_with_a_stable_uid()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, body) = await alice.ScheduleAsync(factory);
        Assert.Equal("zoom", body["videoProvider"]!.GetValue<string>());

        var response = await alice.GetPathAsync($"/api/interviews/{id}/calendar.ics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"UID:{id}@interviews", text, StringComparison.Ordinal);
        Assert.Contains("DTSTAMP:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ATTENDEE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("VALARM", text, StringComparison.Ordinal);

        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        await (await bob.GetPathAsync($"/api/interviews/{id}/calendar.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await factory.ClientFor(null).GetPathAsync($"/api/interviews/{id}/calendar.ics")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_feed_follows_create_reschedule_and_cancel_and_parses_with_ical_js()
    {
        await NodeTools.RequireAsync();
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var anonymous = factory.ClientFor(null);
        var feed = await alice.PostAsync("/api/calendar/feed", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        var url = new Uri((await feed.JsonAsync())["url"]!.GetValue<string>());
        var path = url.AbsolutePath;

        var (id, _, _) = await alice.ScheduleAsync(factory);
        var created = await ParseAsync(anonymous, path);
        Assert.Equal("PUBLISH", created["method"]!.GetValue<string>());
        // How often to fetch it again, in RFC 7986's property and in Outlook's: the same hour.
        Assert.Equal("duration", created["refreshInterval"]!["type"]!.GetValue<string>());
        Assert.Equal("PT1H", created["refreshInterval"]!["value"]!.GetValue<string>());
        Assert.Equal("PT1H", created["publishedTtl"]!.GetValue<string>());
        var first = Assert.Single(created["events"]!.AsArray())!;
        Assert.Equal($"{id}@interviews", first["uid"]!.GetValue<string>());
        Assert.Equal("CONFIRMED", first["status"]!.GetValue<string>());
        Assert.Equal("Video interview", first["summary"]!.GetValue<string>());
        Assert.Contains("Jane Smith", first["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, first["attendees"]!.GetValue<int>());
        Assert.Equal(0, first["alarms"]!.GetValue<int>());

        var newTime = factory.Clock.GetUtcNow().AddDays(5);
        var rescheduled = await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = newTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), initiatedBy = "Company" });
        Assert.Equal(HttpStatusCode.OK, rescheduled.StatusCode);
        var moved = Assert.Single((await ParseAsync(anonymous, path))["events"]!.AsArray())!;
        Assert.Equal(first["uid"]!.GetValue<string>(), moved["uid"]!.GetValue<string>());
        Assert.True(moved["sequence"]!.GetValue<int>() > first["sequence"]!.GetValue<int>());
        Assert.Equal(newTime.UtcDateTime, DateTime.Parse(moved["start"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/interviews/{id}", TestContext.Current.CancellationToken)).StatusCode);
        var cancelled = Assert.Single((await ParseAsync(anonymous, path))["events"]!.AsArray())!;
        Assert.Equal("CANCELLED", cancelled["status"]!.GetValue<string>());
        Assert.True(cancelled["sequence"]!.GetValue<int>() > moved["sequence"]!.GetValue<int>());

        // Kept 30 days, then gone from the feed.
        factory.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Empty((await ParseAsync(anonymous, path))["events"]!.AsArray());
    }

    [Fact]
    public async Task A_feed_token_is_the_only_key_and_rotating_or_revoking_it_closes_the_old_url()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = factory.ClientFor(LocalHostFactory.NewUser());
        using var anonymous = factory.ClientFor(null);
        await alice.ScheduleAsync(factory);
        await bob.ScheduleAsync(factory);

        var first = new Uri((await (await alice.PostAsync("/api/calendar/feed", null, TestContext.Current.CancellationToken)).JsonAsync())["url"]!.GetValue<string>());
        Assert.StartsWith("http://127.0.0.1:7071/api/calendar/feed/", first.AbsoluteUri, StringComparison.Ordinal);
        var token = first.AbsolutePath.Split('/')[^1].Replace(".ics", "", StringComparison.Ordinal);
        Assert.Equal(43, token.Length); // 256 bits, base64url

        var aliceFeed = await (await anonymous.GetPathAsync(first.AbsolutePath)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Single(aliceFeed.Split("BEGIN:VEVENT"), s => s.Length > 0 && !s.StartsWith("BEGIN:VCALENDAR", StringComparison.Ordinal));

        // The token is stored only as a hash.
        var raw = await File.ReadAllBytesAsync(factory.DatabasePath, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(token, System.Text.Encoding.UTF8.GetString(raw), StringComparison.Ordinal);

        var second = new Uri((await (await alice.PostAsync("/api/calendar/feed", null, TestContext.Current.CancellationToken)).JsonAsync())["url"]!.GetValue<string>());
        Assert.NotEqual(first, second);
        await (await anonymous.GetPathAsync(first.AbsolutePath)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetPathAsync(second.AbsolutePath)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/calendar/feed", TestContext.Current.CancellationToken)).StatusCode);
        await (await anonymous.GetPathAsync(second.AbsolutePath)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await anonymous.GetPathAsync("/api/calendar/feed/not-a-token.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static async Task<JsonObject> ParseAsync(HttpClient client, string path)
    {
        var response = await client.GetPathAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        return await NodeTools.ParseIcsAsync(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
