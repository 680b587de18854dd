using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>POST /api/interviews over HTTP: the created interview, and every kind of bad input.</summary>
public sealed class ScheduleInterviewTests(LocalHostFactory factory) : IClassFixture<LocalHostFactory>
{
    private readonly HttpClient _client = factory.ClientFor(LocalHostFactory.NewUser());

    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    private Task<HttpResponseMessage> PostAsync(string json, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/interviews") { Content = new StringContent(json) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return _client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Task<HttpResponseMessage> PostAsync(params (string Field, JsonNode? Value)[] changes) =>
        PostAsync(ApiClient.ScheduleRequest(Now.AddDays(3), changes).ToJsonString());

    [Fact]
    public async Task Scheduling_returns_201_with_location_etag_and_the_interview()
    {
        var response = await PostAsync(("interviewType", "Phone Screen"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        var id = body["id"]!.GetValue<string>();
        Assert.Equal($"/api/interviews/{id}", response.Headers.Location!.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("PhoneScreen", body["interviewType"]!.GetValue<string>());
        Assert.Equal("Scheduled", body["status"]!.GetValue<string>());
        Assert.Equal(Now.AddDays(3).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), body["scheduledAt"]!.GetValue<string>());
        Assert.Equal(60, body["duration"]!.GetValue<int>());
        Assert.Equal(["Jane Smith", "John Doe"], body["interviewers"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("America/Los_Angeles", body["timezone"]!.GetValue<string>());
        Assert.Equal("2026-03-05T01:00:00-08:00", body["scheduledAtLocal"]!.GetValue<string>());
        Assert.Empty(body["rescheduleHistory"]!.AsArray());
        Assert.Equal(Now, DateTimeOffset.Parse(body["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("PhoneScreen", "PhoneScreen")]
    [InlineData("Phone Screen", "PhoneScreen")]
    [InlineData("In-Person", "InPerson")]
    [InlineData("InPerson", "InPerson")]
    [InlineData("Technical", "Technical")]
    public async Task Interview_types_are_accepted_in_both_spellings_and_answered_in_one(string sent, string canonical)
    {
        var response = await PostAsync(("interviewType", sent));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(canonical, (await response.JsonAsync())["interviewType"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("phone screen")]
    [InlineData("inperson")]
    [InlineData("TECHNICAL")]
    [InlineData(" Video")]
    public async Task An_interview_type_in_another_case_or_spacing_is_a_400_that_lists_the_accepted_spellings(string sent)
    {
        var problem = await (await PostAsync(("interviewType", sent))).AssertInvalidFieldAsync("interviewType");
        Assert.Contains("Phone Screen, In-Person", problem["errors"]!["interviewType"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("applicationId", null)]
    [InlineData("interviewType", null)]
    [InlineData("scheduledAt", null)]
    [InlineData("duration", null)]
    [InlineData("timezone", null)]
    [InlineData("interviewType", "\"Coffee Chat\"")]
    [InlineData("interviewType", "\"3\"")]
    [InlineData("duration", "14")]
    [InlineData("duration", "481")]
    [InlineData("duration", "0")]
    [InlineData("duration", "-60")]
    [InlineData("duration", "\"60\"")]
    [InlineData("duration", "60.5")]
    [InlineData("duration", "99999999999")]
    [InlineData("applicationId", "\"not-a-guid\"")]
    [InlineData("applicationId", "\"00000000-0000-0000-0000-000000000000\"")]
    [InlineData("timezone", "\"Mars/Olympus_Mons\"")]
    [InlineData("timezone", "\"Pacific Standard Time\"")]
    [InlineData("timezone", "\"\"")]
    [InlineData("scheduledAt", "\"tomorrow\"")]
    [InlineData("scheduledAt", "\"2026-02-30T10:00:00Z\"")]
    [InlineData("scheduledAt", "1767225600")]
    [InlineData("scheduledAt", "\"2026-03-01T10:00:00Z\"")]
    [InlineData("scheduledAt", "\"2040-03-01T10:00:00Z\"")]
    [InlineData("interviewers", "\"Jane\"")]
    [InlineData("interviewers", "[\"Jane\", 5]")]
    [InlineData("interviewers", "[\"Jane\", \"  \"]")]
    [InlineData("location", "17")]
    public async Task A_bad_field_is_a_400_naming_it_and_creates_nothing(string field, string? json)
    {
        var before = await CountAsync();
        var response = await PostAsync((field, json is null ? null : JsonNode.Parse(json)));
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Contains(errors, e => e.Key == field || e.Key.StartsWith(field + "[", StringComparison.Ordinal));
        Assert.Equal(before, await CountAsync());
    }

    [Theory]
    [InlineData(15, true)]
    [InlineData(480, true)]
    [InlineData(14, false)]
    [InlineData(481, false)]
    public async Task Duration_is_15_to_480_minutes(int minutes, bool accepted)
    {
        var response = await PostAsync(("duration", minutes));
        Assert.Equal(accepted ? HttpStatusCode.Created : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(501, false)]
    public async Task Location_is_at_most_500_characters(int length, bool accepted)
    {
        var response = await PostAsync(("location", new string('l', length)));
        Assert.Equal(accepted ? HttpStatusCode.Created : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(20, 200, true)]
    [InlineData(21, 10, false)]
    [InlineData(1, 201, false)]
    public async Task Interviewers_are_at_most_20_of_at_most_200_characters(int count, int length, bool accepted)
    {
        var names = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)JsonValue.Create(new string((char)('a' + (i % 26)), length))!)]);
        var response = await PostAsync(("interviewers", names));
        Assert.Equal(accepted ? HttpStatusCode.Created : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Every_invalid_field_is_reported_at_once()
    {
        var response = await PostAsync(("duration", 5), ("interviewType", "Chat"), ("timezone", "Nowhere/City"), ("applicationId", null));
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("duration") && errors.ContainsKey("interviewType") && errors.ContainsKey("timezone") && errors.ContainsKey("applicationId"), errors.ToJsonString());
        Assert.Equal("validation", problem["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_local_time_without_offset_is_read_in_the_interviews_timezone()
    {
        var response = await PostAsync(("scheduledAt", "2026-03-10T09:30:00"), ("timezone", "Europe/Berlin"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("2026-03-10T08:30:00Z", body["scheduledAt"]!.GetValue<string>());
        Assert.Equal("2026-03-10T09:30:00+01:00", body["scheduledAtLocal"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_local_time_in_a_daylight_saving_gap_is_rejected()
    {
        // On 2026-03-08 the clocks in Los Angeles jump from 02:00 to 03:00: 02:30 never happens.
        var response = await PostAsync(("scheduledAt", "2026-03-08T02:30:00"), ("timezone", "America/Los_Angeles"));
        var problem = await response.AssertInvalidFieldAsync("scheduledAt");
        Assert.Contains("does not exist", problem["errors"]!["scheduledAt"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_time_that_happens_twice_is_rejected()
    {
        // On 2026-11-01 the clocks in Los Angeles go back from 02:00 to 01:00: 01:30 happens twice.
        var response = await PostAsync(("scheduledAt", "2026-11-01T01:30:00"), ("timezone", "America/Los_Angeles"));
        await response.AssertInvalidFieldAsync("scheduledAt");
    }

    [Fact]
    public async Task An_offset_is_kept_as_the_instant_it_names()
    {
        var response = await PostAsync(("scheduledAt", "2026-03-10T09:30:00+05:30"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("2026-03-10T04:00:00Z", (await response.JsonAsync())["scheduledAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_owned_fields_in_the_body_are_never_applied()
    {
        var someoneElse = Guid.NewGuid().ToString();
        var response = await PostAsync(
            ("id", "11111111-1111-1111-1111-111111111111"),
            ("userId", someoneElse),
            ("status", "Completed"),
            ("createdAt", "2020-01-01T00:00:00Z"),
            ("thankYouNoteSent", true),
            ("rescheduleHistory", new JsonArray(new JsonObject { ["reason"] = "x" })));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.NotEqual("11111111-1111-1111-1111-111111111111", body["id"]!.GetValue<string>());
        Assert.Equal("Scheduled", body["status"]!.GetValue<string>());
        Assert.False(body["thankYouNoteSent"]!.GetValue<bool>());
        Assert.Empty(body["rescheduleHistory"]!.AsArray());
        Assert.Equal(Now, DateTimeOffset.Parse(body["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(body.ContainsKey("userId"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"text\"")]
    [InlineData("{\"duration\": 60, \"duration\": 90}")]
    [InlineData("{\"duration\": 60,}")]
    [InlineData("{/* comment */ \"duration\": 60}")]
    public async Task Malformed_json_is_a_400_and_creates_nothing(string json)
    {
        var before = await CountAsync();
        var response = await PostAsync(json);
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task An_empty_body_is_a_400()
    {
        var response = await PostAsync("");
        await response.AssertInvalidFieldAsync("body");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_json_is_a_415(string contentType)
    {
        var response = await PostAsync(ApiClient.ScheduleRequest(Now.AddDays(3)).ToJsonString(), contentType);
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_missing_content_type_is_a_415()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/interviews") { Content = new ByteArrayContent("{}"u8.ToArray()) };
        var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_body_over_64_KB_is_a_413_and_creates_nothing()
    {
        var before = await CountAsync();
        var response = await PostAsync(("location", new string('x', 70 * 1024)));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_json_content_type_with_charset_or_suffix_is_accepted()
    {
        var response = await PostAsync(ApiClient.ScheduleRequest(Now.AddDays(3)).ToJsonString(), "application/merge-patch+json; charset=utf-8");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        var bytes = "{\"location\": \""u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("\"}"u8.ToArray()).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/interviews") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Errors_never_carry_a_stack_trace()
    {
        var response = await PostAsync("{\"duration\": \"sixty\"}");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
    }

    private async Task<int> CountAsync()
    {
        var page = await (await _client.GetPathAsync("/api/interviews?limit=200")).JsonAsync();
        return page["items"]!.AsArray().Count;
    }
}
