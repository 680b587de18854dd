using System.Net.Http.Headers;

namespace Interviews.Tests.Import;

/// <summary>The invitation fixtures (Import/Fixtures, copied beside the tests) and the import request.</summary>
public static class Invitations
{
    public const string ApplicationId = "6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11";

    /// <summary>The candidate the fixtures invite; their own ATTENDEE line is not an interviewer.</summary>
    public const string CandidateEmail = "alex.candidate@example.com";

    public static byte[] Bytes(string fixture) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Import", "Fixtures", fixture));

    public static string Text(string fixture) => System.Text.Encoding.UTF8.GetString(Bytes(fixture));

    public static IEnumerable<string> All => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Import", "Fixtures")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    /// <summary>A minimal invitation with one VEVENT whose lines are <paramref name="eventLines"/>.</summary>
    public static string Calendar(params string[] eventLines) =>
        string.Join("\r\n", ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tests//EN", "METHOD:REQUEST", "BEGIN:VEVENT", .. eventLines, "END:VEVENT", "END:VCALENDAR", ""]);

    /// <summary>POST /api/interviews/import with the body as sent, its content type taken from the file name unless given.</summary>
    public static Task<HttpResponseMessage> ImportAsync(
        this HttpClient client, byte[] body, string contentType = "text/calendar", string query = "", string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/interviews/import?applicationId={ApplicationId}{query}")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static Task<HttpResponseMessage> ImportFixtureAsync(this HttpClient client, string fixture, string query = "", string? idempotencyKey = null) =>
        client.ImportAsync(Bytes(fixture), fixture.EndsWith(".eml", StringComparison.Ordinal) ? "message/rfc822" : "text/calendar; charset=utf-8", query, idempotencyKey);

    public static Task<HttpResponseMessage> ImportTextAsync(this HttpClient client, string calendar, string query = "") =>
        client.ImportAsync(System.Text.Encoding.UTF8.GetBytes(calendar), "text/calendar", query);
}
