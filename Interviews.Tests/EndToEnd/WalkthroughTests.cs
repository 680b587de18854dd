using System.Net;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.EndToEnd;

/// <summary>The README's walk-through with curl, then the other commands of an interview's life, as a client sends them.</summary>
public abstract class WalkthroughTests(ApiHost host)
{
    [Fact]
    public async Task The_README_walk_through_schedules_prepares_completes_records_the_thank_you_and_the_outcome_and_lists()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());

        // Schedule shortly ahead (times must be in the future), so that the interview can then be completed.
        var when = host.Now.AddSeconds(4);
        var (id, etag, scheduled) = await client.ScheduleAtAsync(when);
        Assert.Equal("Scheduled", scheduled["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(etag));

        var prepared = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare",
            new { preparationNotes = "STAR examples", researchCompleted = true, questionsPrepped = true, materialsGathered = true });
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);
        Assert.Equal("Prepared", (await prepared.JsonAsync())["status"]!.GetValue<string>());

        // An interview can only be completed once it has started.
        await host.PassAsync(when);
        var completed = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete",
            new { actualDuration = 55, performanceRating = 4, interviewNotes = "Went well", nextSteps = "Feedback in 3-5 days", followUpRequired = true });
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        Assert.Equal("Completed", (await completed.JsonAsync())["status"]!.GetValue<string>());

        var thanked = await client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you",
            new { recipients = new[] { "jane.smith@techcorp.com" }, method = "Email", notes = "Personal thanks" });
        Assert.Equal(HttpStatusCode.OK, thanked.StatusCode);
        Assert.True((await thanked.JsonAsync())["thankYouNoteSent"]!.GetValue<bool>());

        var decided = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/outcome",
            new { outcome = "Advanced", notes = "Onsite round next week" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("Advanced", (await decided.JsonAsync())["outcome"]!.GetValue<string>());

        var list = await client.GetPathAsync("/api/interviews?status=Completed&outcome=Advanced");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var item = Assert.Single((await list.JsonAsync())["items"]!.AsArray());
        Assert.Equal(id, item!["id"]!.GetValue<string>());
        Assert.Equal(4, item["performanceRating"]!.GetValue<int>());
        Assert.Equal("Advanced", item["outcome"]!.GetValue<string>());

        // Bad input is a problem+json 400 that names every bad field, and changes nothing.
        var bad = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", new { interviewType = "Coffee", duration = 600, timezone = "Mars/Base" });
        var errors = (await bad.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.All(new[] { "applicationId", "interviewType", "scheduledAt", "duration", "timezone" }, field => Assert.True(errors.ContainsKey(field), field));
        Assert.Single((await (await client.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task An_interview_is_rescheduled_listed_as_upcoming_and_cancelled()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var (id, _, _) = await client.ScheduleAtAsync(host.Now.AddDays(2));

        var rescheduled = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule",
            new { newDateTime = Instant(host.Now.AddDays(3)), reason = "Interviewer travelling", initiatedBy = "Company" });
        Assert.Equal(HttpStatusCode.OK, rescheduled.StatusCode);
        var body = await rescheduled.JsonAsync();
        Assert.Equal("Rescheduled", body["status"]!.GetValue<string>());
        Assert.Single(body["rescheduleHistory"]!.AsArray());

        var upcoming = await (await client.GetPathAsync("/api/interviews/upcoming")).JsonAsync();
        Assert.Equal(id, Assert.Single(upcoming["items"]!.AsArray())!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null)).StatusCode);
        Assert.Equal("Cancelled", (await (await client.GetPathAsync($"/api/interviews/{id}")).JsonAsync())["status"]!.GetValue<string>());
        Assert.Empty((await (await client.GetPathAsync("/api/interviews/upcoming")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task Every_interview_answer_has_an_ETag_and_a_write_with_a_stale_If_Match_is_412_and_changes_nothing()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var (id, created, _) = await client.ScheduleAtAsync(host.Now.AddDays(2));
        var read = await client.GetPathAsync($"/api/interviews/{id}");
        Assert.Equal(created, read.Headers.ETag!.ToString());

        var prepare = new { preparationNotes = "Read the docs" };
        var prepared = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", prepare, ifMatch: created);
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);
        var current = prepared.Headers.ETag!.ToString();
        Assert.NotEqual(created, current);

        var stale = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { preparationNotes = "Overwritten" }, ifMatch: created);
        Assert.Equal("etag-mismatch", (await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed))["code"]!.GetValue<string>());
        var after = await client.GetPathAsync($"/api/interviews/{id}");
        Assert.Equal(current, after.Headers.ETag!.ToString());
        Assert.Equal("Read the docs", (await after.JsonAsync())["preparationNotes"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_schedule_repeated_with_its_Idempotency_Key_answers_the_first_interview_and_another_body_is_422()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        var body = ApiClient.ScheduleRequest(host.Now.AddDays(2)).ToJsonString();
        var key = Guid.NewGuid().ToString();

        async Task<HttpResponseMessage> PostAsync(string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/interviews") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", key);
            return await client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        var first = await PostAsync(body);
        var repeat = await PostAsync(body);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal((await first.JsonAsync())["id"]!.GetValue<string>(), (await repeat.JsonAsync())["id"]!.GetValue<string>());
        Assert.Single((await (await client.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray());

        var other = ApiClient.ScheduleRequest(host.Now.AddDays(2), ("duration", JsonValue.Create(90))).ToJsonString();
        Assert.Equal("idempotency-key-reused", (await (await PostAsync(other)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_README_invitation_is_imported_moved_by_its_next_revision_and_cancelled()
    {
        host.Require();
        using var client = host.ClientFor(TestUser.New());
        // As the README writes it: LF line ends, a TZID, a Meet link, at 10:00 in Berlin four days from now.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var day = TimeZoneInfo.ConvertTime(host.Now, berlin).AddDays(4).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var invitation = $"""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example//Walk-through//EN
            METHOD:REQUEST
            BEGIN:VEVENT
            UID:walkthrough-1@example.com
            SEQUENCE:0
            DTSTAMP:20260302T081500Z
            DTSTART;TZID=Europe/Berlin:{day}T100000
            DTEND;TZID=Europe/Berlin:{day}T104500
            SUMMARY:First-round interview
            ORGANIZER;CN=Priya Raman:mailto:priya@acme.example
            ATTENDEE;CN=José Müller:mailto:jose@acme.example
            X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij
            END:VEVENT
            END:VCALENDAR

            """;

        async Task<HttpResponseMessage> ImportAsync(string calendar)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/interviews/import?applicationId={Import.Invitations.ApplicationId}")
            {
                Content = new StringContent(calendar, System.Text.Encoding.UTF8, "text/calendar"),
            };
            return await client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        var created = await ImportAsync(invitation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var interview = await created.JsonAsync();
        Assert.Equal("Video", interview["interviewType"]!.GetValue<string>());
        Assert.Equal("googleMeet", interview["videoProvider"]!.GetValue<string>());
        Assert.Equal(45, interview["duration"]!.GetValue<int>());
        Assert.StartsWith($"{day[..4]}-{day[4..6]}-{day[6..]}T10:00:00+0", interview["scheduledAtLocal"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["Priya Raman", "José Müller"], interview["interviewers"]!.AsArray().Select(n => n!.GetValue<string>()));

        var moved = await ImportAsync(invitation.Replace("SEQUENCE:0", "SEQUENCE:1", StringComparison.Ordinal).Replace("T100000", "T140000", StringComparison.Ordinal).Replace("T104500", "T150000", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var rescheduled = await moved.JsonAsync();
        Assert.Equal("Rescheduled", rescheduled["status"]!.GetValue<string>());
        Assert.Equal("Company", Assert.Single(rescheduled["rescheduleHistory"]!.AsArray())!["initiatedBy"]!.GetValue<string>());

        var cancelled = await ImportAsync(invitation.Replace("METHOD:REQUEST", "METHOD:CANCEL", StringComparison.Ordinal).Replace("SEQUENCE:0", "SEQUENCE:2", StringComparison.Ordinal));
        Assert.Equal("Cancelled", (await cancelled.JsonAsync())["status"]!.GetValue<string>());
        Assert.Equal(interview["id"]!.GetValue<string>(), (await cancelled.JsonAsync())["id"]!.GetValue<string>());
    }

    private static string Instant(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

[Collection(LocalHostCollection.Name)]
public sealed class LocalHostWalkthroughTests(LocalHostApi host) : WalkthroughTests(host);

[Collection(FunctionsWorkerCollection.Name)]
public sealed class FunctionsWorkerWalkthroughTests(FunctionsWorkerApi host) : WalkthroughTests(host);
