using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>GET /api/interviews and /upcoming: filters, order, paging, bad parameters.</summary>
public sealed class ListInterviewsTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private const string AppA = "aaaaaaaa-0000-0000-0000-000000000001";
    private const string AppB = "bbbbbbbb-0000-0000-0000-000000000002";

    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    private static async Task<List<JsonObject>> ItemsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        return [.. body["items"]!.AsArray().Select(n => n!.AsObject())];
    }

    private async Task<(HttpClient Client, List<string> Ids)> UserWithInterviewsAsync(params (double Days, string Type, string App)[] interviews)
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var ids = new List<string>();
        foreach (var (days, type, app) in interviews)
        {
            var (id, _, _) = await client.ScheduleAsync(factory, days, ("interviewType", type), ("applicationId", app));
            ids.Add(id);
        }

        return (client, ids);
    }

    [Fact]
    public async Task The_list_is_sorted_by_scheduled_time()
    {
        var (client, ids) = await UserWithInterviewsAsync((5, "Video", AppA), (1, "Panel", AppA), (3, "Final", AppB));
        var items = await ItemsAsync(await client.GetPathAsync("/api/interviews"));
        Assert.Equal([ids[1], ids[2], ids[0]], items.Select(i => i["id"]!.GetValue<string>()));
        Assert.False(items[0].ContainsKey("interviewNotes"));
    }

    [Fact]
    public async Task Each_list_item_shows_the_interview_as_its_last_command_left_it()
    {
        var (client, ids) = await UserWithInterviewsAsync((1, "Video", AppA), (2, "Video", AppA), (3, "Video", AppB), (4, "Panel", AppB));
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{ids[0]}/prepare", new { researchCompleted = true, questionsPrepped = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{ids[1]}/reschedule", new { newDateTime = Now.AddDays(6), reason = "moved", initiatedBy = "Company" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{ids[2]}", null)).StatusCode);
        var created = await (await client.GetPathAsync($"/api/interviews/{ids[3]}")).JsonAsync();
        var update = ApiClient.ScheduleRequest(
            DateTimeOffset.Parse(created["scheduledAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            ("location", "https://teams.microsoft.com/l/meetup-join/abc"), ("interviewers", new JsonArray("Zoë Ünal", "Ada \"Countess\" Lovelace")), ("timezone", "Asia/Kolkata"));
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{ids[3]}", update.ToJsonString())).StatusCode);

        var response = await client.GetPathAsync("/api/interviews");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var items = await ItemsAsync(response);

        Assert.Equal(ids.Order(), items.Select(i => i["id"]!.GetValue<string>()).Order());
        foreach (var item in items)
        {
            var full = await (await client.GetPathAsync($"/api/interviews/{item["id"]}")).JsonAsync();
            foreach (var (field, value) in item)
            {
                var expected = field == "rescheduleCount" ? JsonValue.Create(full["rescheduleHistory"]!.AsArray().Count) : full[field];
                Assert.True(JsonNode.DeepEquals(expected, value), $"{field} of {item["id"]}: list {value?.ToJsonString()}, get {expected?.ToJsonString()}");
            }
        }

        var moved = items.Single(i => i["id"]!.GetValue<string>() == ids[1]);
        Assert.Equal(1, moved["rescheduleCount"]!.GetValue<int>());
        var edited = items.Single(i => i["id"]!.GetValue<string>() == ids[3]);
        Assert.Equal("teams", edited["videoProvider"]!.GetValue<string>());
        Assert.EndsWith("+05:30", edited["scheduledAtLocal"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Cancelled", items.Single(i => i["id"]!.GetValue<string>() == ids[2])["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Filters_combine()
    {
        var (client, ids) = await UserWithInterviewsAsync((1, "Video", AppA), (2, "Video", AppB), (3, "Technical", AppA), (40, "Video", AppA));
        await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{ids[0]}/prepare", new { researchCompleted = true });

        Assert.Equal([ids[1], ids[3]], (await ItemsAsync(await client.GetPathAsync("/api/interviews?interviewType=Video&status=Scheduled"))).Select(i => i["id"]!.GetValue<string>()));
        Assert.Equal([ids[0]], (await ItemsAsync(await client.GetPathAsync("/api/interviews?status=Prepared"))).Select(i => i["id"]!.GetValue<string>()));
        Assert.Equal([ids[0], ids[2], ids[3]], (await ItemsAsync(await client.GetPathAsync($"/api/interviews?applicationId={AppA}"))).Select(i => i["id"]!.GetValue<string>()));
        Assert.Equal([ids[2]], (await ItemsAsync(await client.GetPathAsync($"/api/interviews?applicationId={AppA}&interviewType=Technical"))).Select(i => i["id"]!.GetValue<string>()));

        var from = Now.AddDays(1.5).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var to = Now.AddDays(3).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([ids[1], ids[2]], (await ItemsAsync(await client.GetPathAsync($"/api/interviews?dateFrom={Uri.EscapeDataString(from)}&dateTo={Uri.EscapeDataString(to)}"))).Select(i => i["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Date_only_bounds_include_the_whole_day()
    {
        var (client, ids) = await UserWithInterviewsAsync((1, "Video", AppA), (2, "Video", AppA), (3, "Video", AppA));
        var day = Now.AddDays(2).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([ids[1]], (await ItemsAsync(await client.GetPathAsync($"/api/interviews?dateFrom={day}&dateTo={day}"))).Select(i => i["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Pages_follow_the_cursor_until_it_is_null()
    {
        var (client, ids) = await UserWithInterviewsAsync([.. Enumerable.Range(1, 7).Select(d => ((double)d, "Video", AppA))]);
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var response = await client.GetPathAsync("/api/interviews?limit=3" + (cursor is null ? "" : $"&cursor={cursor}"));
            var body = await response.JsonAsync();
            seen.AddRange(body["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
            cursor = body["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(ids, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task The_type_filter_takes_the_requirements_display_spellings_as_the_contract_lists_them()
    {
        var (client, ids) = await UserWithInterviewsAsync((1, "PhoneScreen", AppA), (2, "InPerson", AppA), (3, "Video", AppA));

        Assert.Equal([ids[0]], (await ItemsAsync(await client.GetPathAsync("/api/interviews?interviewType=Phone%20Screen"))).Select(i => i["id"]!.GetValue<string>()));
        Assert.Equal([ids[1]], (await ItemsAsync(await client.GetPathAsync("/api/interviews?interviewType=In-Person"))).Select(i => i["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_status_in_another_case_is_a_400_that_lists_the_statuses()
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var problem = await (await client.GetPathAsync("/api/interviews?status=scheduled")).AssertInvalidFieldAsync("status");
        Assert.Contains("Scheduled, Prepared, Completed, Rescheduled, Cancelled", problem["errors"]!["status"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status=Pending", "status")]
    [InlineData("status=scheduled", "status")]
    [InlineData("status=", "status")]
    [InlineData("interviewType=video", "interviewType")]
    [InlineData("interviewType=Phone%20screen", "interviewType")]
    [InlineData("applicationId=6f1c1a8e3a574d39a54b6b7b4b7e2a11", "applicationId")]
    [InlineData("status=1", "status")]
    [InlineData("status=%2B2", "status")]
    [InlineData("status=Completed,Prepared", "status")]
    [InlineData("applicationId=nope", "applicationId")]
    [InlineData("interviewType=Coffee", "interviewType")]
    [InlineData("dateFrom=yesterday", "dateFrom")]
    [InlineData("dateTo=2026-13-01", "dateTo")]
    [InlineData("dateFrom=2026-05-01&dateTo=2026-04-01", "dateTo")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("status=Scheduled&status=Prepared", "status")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string parameter)
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        await (await client.GetPathAsync($"/api/interviews?{query}")).AssertInvalidFieldAsync(parameter);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("cursor=%%%", "cursor")]
    public async Task Upcoming_rejects_bad_paging_too(string query, string parameter)
    {
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        await (await client.GetPathAsync($"/api/interviews/upcoming?{query}")).AssertInvalidFieldAsync(parameter);
    }

    [Fact]
    public async Task Upcoming_is_the_next_30_days_of_open_interviews_soonest_first()
    {
        var (client, ids) = await UserWithInterviewsAsync((10, "Video", AppA), (2, "Video", AppA), (29.9, "Video", AppA), (30.1, "Video", AppA), (5, "Video", AppA), (0.5, "Video", AppA));
        await client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{ids[4]}", null);
        await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{ids[0]}/prepare", new { researchCompleted = true });
        var items = await ItemsAsync(await client.GetPathAsync("/api/interviews/upcoming"));
        Assert.Equal([ids[5], ids[1], ids[0], ids[2]], items.Select(i => i["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_users_list_has_only_their_interviews()
    {
        var (alice, aliceIds) = await UserWithInterviewsAsync((1, "Video", AppA), (2, "Video", AppA));
        var (bob, bobIds) = await UserWithInterviewsAsync((1, "Video", AppA));
        Assert.Equal(aliceIds, (await ItemsAsync(await alice.GetPathAsync("/api/interviews"))).Select(i => i["id"]!.GetValue<string>()));
        Assert.Equal(bobIds, (await ItemsAsync(await bob.GetPathAsync("/api/interviews"))).Select(i => i["id"]!.GetValue<string>()));
        Assert.Equal(bobIds, (await ItemsAsync(await bob.GetPathAsync("/api/interviews/upcoming"))).Select(i => i["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_cursor_from_another_users_list_shows_nothing_of_theirs()
    {
        var (alice, _) = await UserWithInterviewsAsync((1, "Video", AppA), (2, "Video", AppA), (3, "Video", AppA));
        var page = await (await alice.GetPathAsync("/api/interviews?limit=1")).JsonAsync();
        var cursor = page["nextCursor"]!.GetValue<string>();
        var mallory = factory.ClientFor(LocalHostFactory.NewUser());
        Assert.Empty(await ItemsAsync(await mallory.GetPathAsync($"/api/interviews?cursor={cursor}")));
    }
}
