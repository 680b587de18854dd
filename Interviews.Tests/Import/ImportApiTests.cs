using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Import;

/// <summary>POST /api/interviews/import through LocalHost: each provider's invitation, its revisions and cancellation, the refusals.</summary>
public sealed class ImportApiTests
{
    private const string GoogleUid = "7kukuqrfedlm2f9t0vh3mpr3ab@google.com";

    private static async Task<JsonObject> CreatedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal($"/api/interviews/{body["id"]}", response.Headers.Location!.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        return body;
    }

    private static async Task<JsonObject> OkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static string[] Names(JsonObject interview) => [.. interview["interviewers"]!.AsArray().Select(n => n!.GetValue<string>())];

    [Fact]
    public async Task A_Google_Calendar_invitation_becomes_a_video_interview_that_keeps_its_UID_and_SEQUENCE()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);

        var interview = await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics"));

        Assert.Equal(Invitations.ApplicationId, interview["applicationId"]!.GetValue<string>());
        Assert.Equal("Video", interview["interviewType"]!.GetValue<string>());
        Assert.Equal("Scheduled", interview["status"]!.GetValue<string>());
        Assert.Equal("2026-03-10T14:00:00Z", interview["scheduledAt"]!.GetValue<string>());
        Assert.Equal("2026-03-10T10:00:00-04:00", interview["scheduledAtLocal"]!.GetValue<string>());
        Assert.Equal("America/New_York", interview["timezone"]!.GetValue<string>());
        Assert.Equal(45, interview["duration"]!.GetValue<int>());
        Assert.Equal("https://meet.google.com/abc-defg-hij", interview["location"]!.GetValue<string>());
        Assert.Equal("googleMeet", interview["videoProvider"]!.GetValue<string>());
        Assert.Equal(["Priya Raman", "José Müller", "Lee, Ana"], Names(interview));
        Assert.Equal(GoogleUid, interview["invitation"]!["uid"]!.GetValue<string>());
        Assert.Equal(0, interview["invitation"]!["sequence"]!.GetValue<int>());
        Assert.DoesNotContain("@", interview["interviewers"]!.ToJsonString(), StringComparison.Ordinal);

        var read = await OkAsync(await alice.GetPathAsync($"/api/interviews/{interview["id"]}"));
        Assert.Equal(GoogleUid, read["invitation"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_Exchange_invitation_with_a_Windows_zone_becomes_a_Teams_interview_of_the_type_given()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), "ALEX.candidate@example.com");

        var interview = await CreatedAsync(await alice.ImportFixtureAsync("outlook-teams-request.ics", "&interviewType=Technical"));

        Assert.Equal("Technical", interview["interviewType"]!.GetValue<string>());
        Assert.Equal("America/Los_Angeles", interview["timezone"]!.GetValue<string>());
        Assert.Equal("2026-03-12T21:00:00Z", interview["scheduledAt"]!.GetValue<string>());
        Assert.Equal(90, interview["duration"]!.GetValue<int>());
        Assert.Equal("teams", interview["videoProvider"]!.GetValue<string>());
        // The candidate matches the token's address whatever its case; the room is no interviewer.
        Assert.Equal(["李雷", "Søren Kierkegaard-Øster"], Names(interview));
    }

    [Fact]
    public async Task A_Zoom_invitation_in_UTC_is_kept_in_the_zone_given()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);

        var interview = await CreatedAsync(await alice.ImportFixtureAsync("zoom-publish.ics", "&timezone=Europe/Berlin"));

        Assert.Equal("2026-03-11T16:30:00Z", interview["scheduledAt"]!.GetValue<string>());
        Assert.Equal("2026-03-11T17:30:00+01:00", interview["scheduledAtLocal"]!.GetValue<string>());
        Assert.Equal("zoom", interview["videoProvider"]!.GetValue<string>());
        Assert.Equal(["Sam O'Neil"], Names(interview));
    }

    [Fact]
    public async Task A_Greenhouse_e_mail_with_an_attached_ics_and_a_floating_time_becomes_an_in_person_interview_in_the_zone_given()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);

        var floating = await alice.ImportFixtureAsync("greenhouse-onsite.eml");
        var problem = await floating.AssertInvalidFieldAsync("DTSTART");
        Assert.Contains("timezone", problem["errors"]!["DTSTART"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var interview = await CreatedAsync(await alice.ImportFixtureAsync("greenhouse-onsite.eml", "&timezone=America/Los_Angeles"));
        Assert.Equal("InPerson", interview["interviewType"]!.GetValue<string>());
        Assert.Equal("2026-03-16T16:30:00Z", interview["scheduledAt"]!.GetValue<string>());
        Assert.Equal(120, interview["duration"]!.GetValue<int>());
        Assert.Equal("Initech HQ, 500 Howard St, Floor 3, San Francisco, CA 94105", interview["location"]!.GetValue<string>());
        Assert.Equal(["Initech Recruiting (via Greenhouse)", "María García", "Tom Becker"], Names(interview));
    }

    [Fact]
    public async Task A_Lever_e_mail_with_an_inline_quoted_printable_calendar_becomes_a_phone_screen_in_London()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);

        var interview = await CreatedAsync(await alice.ImportFixtureAsync("lever-phone-screen.eml"));

        Assert.Equal("PhoneScreen", interview["interviewType"]!.GetValue<string>());
        Assert.Equal("Europe/London", interview["timezone"]!.GetValue<string>());
        Assert.Equal("2026-03-13T11:00:00Z", interview["scheduledAt"]!.GetValue<string>());
        Assert.Equal(30, interview["duration"]!.GetValue<int>());
        Assert.Equal("+44 20 7946 0958", interview["location"]!.GetValue<string>());
        Assert.Equal(["Siobhán Ó Briain"], Names(interview));
        Assert.Equal(3, interview["invitation"]!["sequence"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_later_revision_moves_the_interview_as_the_company_with_a_reason_naming_the_updated_invitation_and_updates_its_details()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        var created = await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics"));

        var moved = await OkAsync(await alice.ImportFixtureAsync("google-meet-moved.ics"));

        Assert.Equal(created["id"]!.GetValue<string>(), moved["id"]!.GetValue<string>());
        Assert.Equal("Rescheduled", moved["status"]!.GetValue<string>());
        Assert.Equal("2026-03-11T19:00:00Z", moved["scheduledAt"]!.GetValue<string>());
        Assert.Equal(60, moved["duration"]!.GetValue<int>());
        Assert.Equal(["Priya Raman", "José Müller", "Lee, Ana", "Kofi Mensah"], Names(moved));
        Assert.Equal(1, moved["invitation"]!["sequence"]!.GetValue<int>());
        var history = Assert.Single(moved["rescheduleHistory"]!.AsArray())!;
        Assert.Equal("Company", history["initiatedBy"]!.GetValue<string>());
        Assert.Equal("2026-03-10T14:00:00Z", history["previousDateTime"]!.GetValue<string>());
        Assert.Contains("updated calendar invitation", history["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_revision_keeps_the_interviews_type_unless_the_parameter_gives_one()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics", "&interviewType=Technical"));

        var moved = await OkAsync(await alice.ImportFixtureAsync("google-meet-moved.ics"));
        Assert.Equal("Technical", moved["interviewType"]!.GetValue<string>());

        var third = Invitations.Text("google-meet-moved.ics").Replace("SEQUENCE:1", "SEQUENCE:2", StringComparison.Ordinal);
        Assert.Equal("Panel", (await OkAsync(await alice.ImportTextAsync(third, "&interviewType=Panel")))["interviewType"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_revision_already_seen_changes_nothing_and_answers_200_with_the_interview()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics"));
        var moved = await alice.ImportFixtureAsync("google-meet-moved.ics");
        var current = await OkAsync(moved);

        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await alice.ImportFixtureAsync("google-meet-moved.ics");
        var older = await alice.ImportFixtureAsync("google-meet-request.ics");

        Assert.Equal(moved.Headers.ETag, again.Headers.ETag);
        Assert.Equal(moved.Headers.ETag, older.Headers.ETag);
        Assert.Equal(current.ToJsonString(), (await OkAsync(again)).ToJsonString());
        Assert.Equal("2026-03-11T19:00:00Z", (await OkAsync(older))["scheduledAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cancellation_cancels_the_interview_and_a_repeat_of_it_changes_nothing()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        var created = await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics"));

        var cancelled = await OkAsync(await alice.ImportFixtureAsync("google-meet-cancel.ics"));
        Assert.Equal(created["id"]!.GetValue<string>(), cancelled["id"]!.GetValue<string>());
        Assert.Equal("Cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(2, cancelled["invitation"]!["sequence"]!.GetValue<int>());

        Assert.Equal("Cancelled", (await OkAsync(await alice.ImportFixtureAsync("google-meet-cancel.ics")))["status"]!.GetValue<string>());
        // A cancelled interview takes no later revision: the status machine refuses to move or update it.
        var revived = await alice.ImportTextAsync(Invitations.Text("google-meet-moved.ics").Replace("SEQUENCE:1", "SEQUENCE:3", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Conflict, revived.StatusCode);
    }

    [Fact]
    public async Task A_cancellation_of_an_invitation_never_imported_is_not_found()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        await (await alice.ImportFixtureAsync("google-meet-cancel.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_user_importing_the_same_invitation_gets_an_interview_of_their_own_and_cannot_touch_the_first()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        using var bob = factory.ClientFor(LocalHostFactory.NewUser(), "bob@example.com");
        var alices = await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics"));

        await (await bob.ImportFixtureAsync("google-meet-cancel.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        var bobs = await CreatedAsync(await bob.ImportFixtureAsync("google-meet-request.ics"));
        await OkAsync(await bob.ImportFixtureAsync("google-meet-cancel.ics"));

        Assert.NotEqual(alices["id"]!.GetValue<string>(), bobs["id"]!.GetValue<string>());
        var still = await OkAsync(await alice.GetPathAsync($"/api/interviews/{alices["id"]}"));
        Assert.Equal("Scheduled", still["status"]!.GetValue<string>());
        await (await bob.GetPathAsync($"/api/interviews/{alices["id"]}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_same_new_invitation_imported_many_times_at_once_makes_one_interview()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => alice.ImportFixtureAsync("google-meet-request.ics")));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            ids.Add((await answer.JsonAsync())["id"]!.GetValue<string>());
        }

        Assert.Single(ids);
        Assert.Single((await (await alice.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task The_export_holds_the_interviews_invitation_and_its_link_as_the_contract_describes()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        var created = await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics"));

        var export = await alice.GetPathAsync("/api/me/export");
        await OpenApiContract.Instance.AssertConformsAsync(export);
        var body = await export.JsonAsync();
        Assert.Equal(GoogleUid, Assert.Single(body["interviews"]!.AsArray())!["invitation"]!["uid"]!.GetValue<string>());
        var link = Assert.Single(body["records"]!.AsArray(), r => r!["kind"]!.GetValue<string>() == "invitation")!;
        Assert.Equal(created["id"]!.GetValue<string>(), link["document"]!["interviewId"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_Idempotency_Key_replays_the_first_answer()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        var first = await CreatedAsync(await alice.ImportFixtureAsync("zoom-publish.ics", idempotencyKey: "import-1"));

        var repeat = await alice.ImportFixtureAsync("zoom-publish.ics", idempotencyKey: "import-1");
        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["id"]!.GetValue<string>(), (await repeat.JsonAsync())["id"]!.GetValue<string>());

        var reused = await alice.ImportFixtureAsync("google-meet-request.ics", idempotencyKey: "import-1");
        await reused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task An_invitation_in_the_past_is_refused_naming_DTSTART()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        var past = await alice.ImportTextAsync(Invitations.Calendar("UID:past-1", "DTSTART:20260301T100000Z", "DURATION:PT1H", "LOCATION:Room 1"));
        await past.AssertInvalidFieldAsync("DTSTART");

        // A revision that moves an imported interview into the past is refused the same way.
        await CreatedAsync(await alice.ImportFixtureAsync("google-meet-request.ics"));
        var movedBack = Invitations.Text("google-meet-moved.ics").Replace("20260311T150000", "20260301T080000", StringComparison.Ordinal).Replace("20260311T160000", "20260301T090000", StringComparison.Ordinal);
        await (await alice.ImportTextAsync(movedBack)).AssertInvalidFieldAsync("DTSTART");
    }

    [Theory]
    [InlineData("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "VEVENT")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "VEVENT")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nLOCATION:Room\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "RRULE")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Atlantis/Central:20260310T100000\r\nDURATION:PT1H\r\nLOCATION:Room\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "TZID")]
    [InlineData("not a calendar", "body")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "interviewType")]
    public async Task A_calendar_that_cannot_be_imported_is_a_400_naming_what_is_wrong(string calendar, string field)
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        var problem = await (await alice.ImportTextAsync(calendar)).AssertInvalidFieldAsync(field);
        Assert.Equal("validation", problem["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Query_parameters_are_checked_and_all_problems_are_named_at_once()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/interviews/import?interviewType=Coffee&timezone=Mars/Base")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")),
        };
        request.Content.Headers.ContentType = new("text/calendar");
        var problem = await (await alice.SendAsync(request, TestContext.Current.CancellationToken)).AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("applicationId") && errors.ContainsKey("interviewType") && errors.ContainsKey("timezone") && errors.ContainsKey("VEVENT"), errors.ToJsonString());
    }

    [Fact]
    public async Task A_body_that_is_neither_a_calendar_nor_an_e_mail_is_a_415_and_one_over_the_limit_a_413()
    {
        using var factory = new LocalHostFactory();
        using var alice = factory.ClientFor(LocalHostFactory.NewUser(), Invitations.CandidateEmail);

        var json = await alice.ImportAsync(Encoding.UTF8.GetBytes("{}"), "application/json");
        Assert.Equal("unsupported-media-type", (await json.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType))["code"]!.GetValue<string>());
        await (await alice.ImportAsync(Invitations.Bytes("zoom-publish.ics"), "text/plain")).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);

        var padded = Invitations.Bytes("zoom-publish.ics").Concat(Enumerable.Repeat((byte)'\n', Interviews.Functions.Interviews.InvitationImportApi.MaxBodyBytes)).ToArray();
        var tooLarge = await alice.ImportAsync(padded);
        Assert.Equal("body-too-large", (await tooLarge.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge))["code"]!.GetValue<string>());

        // An e-mail without a calendar in it is a 400 on the body.
        var mail = "From: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\nContent-Type: text/plain\r\n\r\nNo invitation here.\r\n"u8.ToArray();
        await (await alice.ImportAsync(mail, "message/rfc822")).AssertInvalidFieldAsync("body");
    }

    [Fact]
    public async Task Without_a_token_the_import_is_a_401()
    {
        using var factory = new LocalHostFactory();
        using var anonymous = factory.ClientFor(null);
        await (await anonymous.ImportFixtureAsync("zoom-publish.ics")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
