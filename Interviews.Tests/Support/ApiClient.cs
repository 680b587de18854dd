using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Interviews.Tests.Support;

/// <summary>Small helpers for calling the API as a client would: JSON in, JSON out.</summary>
public static class ApiClient
{
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object? body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();

    /// <summary>A valid schedule request with the given fields replaced (null removes a field).</summary>
    public static JsonObject ScheduleRequest(DateTimeOffset scheduledAt, params (string Field, JsonNode? Value)[] changes)
    {
        var body = new JsonObject
        {
            ["applicationId"] = "6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11",
            ["interviewType"] = "Video",
            ["scheduledAt"] = scheduledAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["duration"] = 60,
            ["location"] = "https://zoom.us/j/12345",
            ["interviewers"] = new JsonArray("Jane Smith", "John Doe"),
            ["timezone"] = "America/Los_Angeles",
        };
        foreach (var (field, value) in changes)
        {
            if (value is null)
            {
                body.Remove(field);
            }
            else
            {
                body[field] = value;
            }
        }

        return body;
    }

    /// <summary>Schedules an interview <paramref name="daysAhead"/> days after the factory clock; returns its id and ETag.</summary>
    public static Task<(string Id, string ETag, JsonObject Body)> ScheduleAsync(this HttpClient client, LocalHostFactory factory, double daysAhead = 3, params (string Field, JsonNode? Value)[] changes) =>
        client.ScheduleAtAsync(factory.Clock.GetUtcNow().AddDays(daysAhead), changes);

    /// <summary>Schedules an interview at <paramref name="scheduledAt"/>; returns its id and ETag.</summary>
    public static async Task<(string Id, string ETag, JsonObject Body)> ScheduleAtAsync(this HttpClient client, DateTimeOffset scheduledAt, params (string Field, JsonNode? Value)[] changes)
    {
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ScheduleRequest(scheduledAt, changes).ToJsonString());
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        return (body["id"]!.GetValue<string>(), response.Headers.ETag!.ToString(), body);
    }

    /// <summary>Asserts a problem+json answer with <paramref name="status"/> and returns its body.</summary>
    public static async Task<JsonObject> AssertProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync();
        Assert.Equal((int)status, body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["traceId"]?.GetValue<string>()));
        return body;
    }

    /// <summary>Asserts a 400 whose errors map names <paramref name="field"/>.</summary>
    public static async Task<JsonObject> AssertInvalidFieldAsync(this HttpResponseMessage response, string field)
    {
        var body = await response.AssertProblemAsync(System.Net.HttpStatusCode.BadRequest);
        var errors = body["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"Expected an error for '{field}', got: {body.ToJsonString()}");
        return body;
    }

    public static Task<HttpResponseMessage> GetPathAsync(this HttpClient client, string path) =>
        client.GetAsync(path, TestContext.Current.CancellationToken);
}
