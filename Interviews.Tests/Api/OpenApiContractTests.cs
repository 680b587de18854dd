using Interviews.Functions.Interviews;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interviews.Tests.Api;

/// <summary>
/// The OpenAPI document (openapi/openapi.json) cannot drift from the API: every route is a path of it and
/// back, and every endpoint's real answers, good and bad, have a status, headers and a body it declares.
/// </summary>
public sealed class OpenApiContractTests
{
    private static readonly OpenApiContract Contract = OpenApiContract.Instance;

    [Fact]
    public void Every_function_route_is_a_path_of_the_document_and_every_path_a_function_route()
    {
        var routes = (
            from type in typeof(InterviewsApi).Assembly.GetExportedTypes()
            from method in type.GetMethods()
            let function = method.GetCustomAttribute<FunctionAttribute>()
            let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)
            where function is not null && trigger is not null
            from verb in trigger.Methods ?? ["(any method)"]
            // Route constraints ({id:guid}) are the host's business; the document names the parameter only.
            select $"{verb.ToUpperInvariant()} /{System.Text.RegularExpressions.Regex.Replace(trigger.Route ?? function.Name, @"\{(\w+)(:[^}]*)?\}", "{$1}")}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(routes, Contract.Operations().Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void The_document_is_served_under_the_route_prefix_of_host_json()
    {
        var prefix = FunctionEndpoints.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json"));
        Assert.Equal("/" + prefix, Contract.ServerPrefix);
        Assert.Equal("3.1.0", Contract.Document["openapi"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_served_document_is_the_one_in_the_repository()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(null);
        var response = await client.GetPathAsync("/api/openapi.json");
        await Contract.AssertConformsAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var served = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var repository = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot(), "openapi", "openapi.json"), TestContext.Current.CancellationToken);
        Assert.Equal(repository, served);
    }

    [Fact]
    public async Task LocalHost_serves_interactive_docs_of_the_served_document_to_anyone()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(null);
        var response = await client.GetPathAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"url\":\"api/openapi.json\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_endpoint_answers_with_statuses_headers_and_bodies_the_document_declares()
    {
        using var host = new Calendar.CalendarTestHost();
        await WalkThroughAsync(host, new Checks(Contract));
    }

    [Fact]
    public async Task Through_a_validating_proxy_no_answer_breaks_the_contract_and_only_the_deliberately_bad_requests_are_flagged()
    {
        using var host = new Calendar.CalendarTestHost();
        using var started = host.Factory.ClientFor(null);
        await using var proxy = await ValidatingProxy.StartAsync(new Uri(started.BaseAddress!, Contract.ServerPrefix), TestContext.Current.CancellationToken);
        var checks = new Checks(Contract, proxy);

        await WalkThroughAsync(host, checks);

        Assert.True(checks.ResponseViolations.Count == 0, "Answers the proxy found against the contract:\n" + string.Join('\n', checks.ResponseViolations));
        Assert.True(checks.UnexpectedRequestViolations.Count == 0, "Requests meant to succeed that the proxy flagged:\n" + string.Join('\n', checks.UnexpectedRequestViolations));
        // The proxy does validate: it flagged the deliberately bad requests (bad JSON types, unknown enum values, no token…).
        Assert.True(checks.FlaggedBadRequests.Count >= 20, $"Only {checks.FlaggedBadRequests.Count} bad requests were flagged.");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{checks.Seen.Count} (operation, status) pairs, {checks.Sent - checks.SentAround.Count} requests through Prism: 0 response violations, 0 on requests meant to succeed, {checks.FlaggedBadRequests.Count} deliberately bad requests flagged; {checks.SentAround.Count} sent around it ({string.Join(", ", checks.SentAround)}).\n" + string.Join('\n', checks.FlaggedBadRequests));
    }

    /// <summary>Every operation with good and bad input, each answer checked against the document.</summary>
    private static async Task WalkThroughAsync(Calendar.CalendarTestHost host, Checks checks)
    {
        var factory = host.Factory;
        using var alice = factory.ClientFor(LocalHostFactory.NewUser());
        using var anonymous = factory.ClientFor(null);
        var missing = Guid.NewGuid();
        var stale = "\"0000000000\"";
        var tooLarge = new string('x', 70 * 1024);

        // Operations.
        await checks.ExpectAsync(anonymous, HttpMethod.Get, "/api/health", HttpStatusCode.OK);
        await checks.ExpectAsync(anonymous, HttpMethod.Get, "/api/openapi.json", HttpStatusCode.OK);

        // Schedule.
        var schedule = ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(1));
        var a = await checks.ExpectAsync(alice, HttpMethod.Post, "/api/interviews", HttpStatusCode.Created, schedule);
        var idA = (await a.JsonAsync())["id"]!.GetValue<string>();
        var b = await checks.ExpectAsync(alice, HttpMethod.Post, "/api/interviews", HttpStatusCode.Created, ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(2)));
        var idB = (await b.JsonAsync())["id"]!.GetValue<string>();
        var c = await checks.ExpectAsync(alice, HttpMethod.Post, "/api/interviews", HttpStatusCode.Created, ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(1), ("interviewers", null), ("location", null)));
        var idC = (await c.JsonAsync())["id"]!.GetValue<string>();
        await checks.ExpectAsync(alice, HttpMethod.Post, "/api/interviews", HttpStatusCode.BadRequest, """{"interviewType": "Coffee", "duration": 600, "timezone": "Mars/Base"}""");
        await checks.ExpectAsync(alice, HttpMethod.Post, "/api/interviews", HttpStatusCode.BadRequest, "{ not json");
        await checks.ExpectAsync(anonymous, HttpMethod.Post, "/api/interviews", HttpStatusCode.Unauthorized, schedule);
        await checks.ExpectAsync(alice, HttpMethod.Post, "/api/interviews", HttpStatusCode.RequestEntityTooLarge, $$"""{"location": "{{tooLarge}}"}""");
        await checks.ExpectAsync(alice, HttpMethod.Post, "/api/interviews", HttpStatusCode.UnsupportedMediaType, schedule.ToJsonString(), contentType: "text/plain");

        // Import from an invitation, as a user of its own so that the steps below see Alice's data unchanged.
        using var erin = factory.ClientFor(LocalHostFactory.NewUser(), Import.Invitations.CandidateEmail);
        var import = $"/api/interviews/import?applicationId={Import.Invitations.ApplicationId}";
        var invitation = Import.Invitations.Text("google-meet-request.ics");
        var imported = await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.Created, invitation, contentType: "text/calendar", idempotencyKey: "import-1");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.Created, invitation, contentType: "text/calendar", idempotencyKey: "import-1");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.UnprocessableEntity, Import.Invitations.Text("zoom-publish.ics"), contentType: "text/calendar", idempotencyKey: "import-1");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.OK, invitation, contentType: "text/calendar");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.PreconditionFailed, Import.Invitations.Text("google-meet-moved.ics"), contentType: "text/calendar", ifMatch: stale);
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.OK, Import.Invitations.Text("google-meet-moved.ics"), contentType: "text/calendar", ifMatch: imported.Headers.ETag!.ToString());
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.OK, Import.Invitations.Text("google-meet-cancel.ics"), contentType: "text/calendar");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.Conflict, Import.Invitations.Text("google-meet-moved.ics").Replace("SEQUENCE:1", "SEQUENCE:3", StringComparison.Ordinal), contentType: "text/calendar");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.NotFound, Import.Invitations.Text("google-meet-cancel.ics").Replace("@google.com", "@elsewhere", StringComparison.Ordinal), contentType: "text/calendar");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.Created, Import.Invitations.Text("lever-phone-screen.eml"), contentType: "message/rfc822");
        await checks.ExpectAsync(erin, HttpMethod.Post, import + "&interviewType=Panel&timezone=America/Los_Angeles", HttpStatusCode.Created, Import.Invitations.Text("greenhouse-onsite.eml"), contentType: "message/rfc822");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.BadRequest, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", contentType: "text/calendar");
        await checks.ExpectAsync(erin, HttpMethod.Post, "/api/interviews/import?interviewType=Coffee", HttpStatusCode.BadRequest, invitation, contentType: "text/calendar");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.UnsupportedMediaType, invitation, contentType: "text/plain");
        await checks.ExpectAsync(erin, HttpMethod.Post, import, HttpStatusCode.RequestEntityTooLarge, new string('x', Interviews.Functions.Interviews.InvitationImportApi.MaxBodyBytes + 1), contentType: "text/calendar");
        await checks.ExpectAsync(anonymous, HttpMethod.Post, import, HttpStatusCode.Unauthorized, invitation, contentType: "text/calendar");

        // Read and list.
        await checks.ExpectAsync(alice, HttpMethod.Get, $"/api/interviews/{idA}", HttpStatusCode.OK);
        await checks.ExpectAsync(alice, HttpMethod.Get, $"/api/interviews/{missing}", HttpStatusCode.NotFound);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews/not-a-guid", HttpStatusCode.NotFound);
        await checks.ExpectAsync(anonymous, HttpMethod.Get, $"/api/interviews/{idA}", HttpStatusCode.Unauthorized);
        var page = await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews?status=Scheduled&interviewType=Video&dateFrom=2026-03-01&dateTo=2026-12-31T00:00:00Z&limit=1", HttpStatusCode.OK);
        var cursor = (await page.JsonAsync())["nextCursor"]!.GetValue<string>();
        await checks.ExpectAsync(alice, HttpMethod.Get, $"/api/interviews?limit=1&cursor={cursor}", HttpStatusCode.OK);
        await checks.ExpectAsync(alice, HttpMethod.Get, $"/api/interviews?applicationId={Guid.NewGuid()}", HttpStatusCode.OK);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews?limit=0&status=Lost&dateFrom=yesterday", HttpStatusCode.BadRequest);
        await checks.ExpectAsync(anonymous, HttpMethod.Get, "/api/interviews", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews/upcoming?limit=2", HttpStatusCode.OK);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews/upcoming?limit=many", HttpStatusCode.BadRequest);
        await checks.ExpectAsync(anonymous, HttpMethod.Get, "/api/interviews/upcoming", HttpStatusCode.Unauthorized);

        // Conflicts, insights and preparation questions, as another user so that the steps below see Alice's data unchanged.
        using var carol = factory.ClientFor(LocalHostFactory.NewUser());
        var carolsFirst = ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(1));
        await checks.ExpectAsync(carol, HttpMethod.Post, "/api/interviews", HttpStatusCode.Created, carolsFirst, idempotencyKey: "contract-1");
        await checks.ExpectAsync(carol, HttpMethod.Post, "/api/interviews", HttpStatusCode.Created, carolsFirst, idempotencyKey: "contract-1");
        await checks.ExpectAsync(carol, HttpMethod.Post, "/api/interviews", HttpStatusCode.UnprocessableEntity, ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(2)), idempotencyKey: "contract-1");
        await checks.ExpectAsync(carol, HttpMethod.Post, "/api/interviews", HttpStatusCode.BadRequest, carolsFirst, idempotencyKey: new string('k', 256));
        var overlapping = await checks.ExpectAsync(carol, HttpMethod.Post, "/api/interviews", HttpStatusCode.Created, ApiClient.ScheduleRequest(
            factory.Clock.GetUtcNow().AddDays(1).AddMinutes(30), ("reminderMinutesBefore", new JsonArray(15, 120))));
        Assert.Single((await overlapping.JsonAsync())["conflicts"]!.AsArray());
        await checks.ExpectAsync(carol, HttpMethod.Get, "/api/me/export", HttpStatusCode.OK);
        await checks.ExpectAsync(anonymous, HttpMethod.Get, "/api/me/export", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(carol, HttpMethod.Delete, "/api/me", HttpStatusCode.BadRequest);
        await checks.ExpectAsync(carol, HttpMethod.Delete, "/api/me?confirm=yes", HttpStatusCode.BadRequest);
        await checks.ExpectAsync(anonymous, HttpMethod.Delete, "/api/me?confirm=true", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(carol, HttpMethod.Delete, "/api/me?confirm=true", HttpStatusCode.NoContent);
        await checks.ExpectAsync(carol, HttpMethod.Get, "/api/me/export", HttpStatusCode.OK);

        // Update.
        var update = ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(1), ("scheduledAt", null), ("location", "Room 4"), ("reminderMinutesBefore", new JsonArray()));
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.OK, update);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.BadRequest, ApiClient.ScheduleRequest(
            factory.Clock.GetUtcNow().AddDays(1), ("scheduledAt", null), ("reminderMinutesBefore", new JsonArray(30, 30, 20_000))));
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.BadRequest, ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(9)));
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.PreconditionFailed, update, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{missing}", HttpStatusCode.NotFound, update);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.UnsupportedMediaType, update.ToJsonString(), contentType: "text/plain");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.RequestEntityTooLarge, $$"""{"location": "{{tooLarge}}"}""");
        await checks.ExpectAsync(anonymous, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.Unauthorized, update);

        // Prepare.
        var prepare = new JsonObject { ["preparationNotes"] = "STAR examples", ["researchCompleted"] = true };
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.OK, prepare);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.BadRequest, new JsonObject { ["preparationNotes"] = new string('n', 10_001) });
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.BadRequest, """{"researchCompleted": "yes"}""");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.PreconditionFailed, prepare, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{missing}/prepare", HttpStatusCode.NotFound, prepare);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.UnsupportedMediaType, prepare.ToJsonString(), contentType: "text/plain");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.RequestEntityTooLarge, $$"""{"preparationNotes": "{{new string('x', PrepareInterviewRequest.MaxBodyBytes)}}"}""");
        await checks.ExpectAsync(anonymous, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.Unauthorized, prepare);

        // Reschedule (B), then too early to complete (A).
        var reschedule = new JsonObject { ["newDateTime"] = Instant(factory.Clock.GetUtcNow().AddDays(3)), ["reason"] = "Conflict", ["initiatedBy"] = "Company" };
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/reschedule", HttpStatusCode.OK, reschedule);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/reschedule", HttpStatusCode.BadRequest, new JsonObject { ["newDateTime"] = "2020-01-01T00:00:00Z" });
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/reschedule", HttpStatusCode.PreconditionFailed, reschedule, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{missing}/reschedule", HttpStatusCode.NotFound, reschedule);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/reschedule", HttpStatusCode.UnsupportedMediaType, reschedule.ToJsonString(), contentType: "text/plain");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/reschedule", HttpStatusCode.RequestEntityTooLarge, $$"""{"reason": "{{tooLarge}}"}""");
        await checks.ExpectAsync(anonymous, HttpMethod.Put, $"/api/interviews/{idB}/reschedule", HttpStatusCode.Unauthorized, reschedule);
        var complete = new JsonObject { ["actualDuration"] = 55, ["performanceRating"] = 4, ["interviewNotes"] = "Went well", ["followUpRequired"] = true };
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/complete", HttpStatusCode.Conflict, complete);
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{idA}/thank-you", HttpStatusCode.Conflict, new JsonObject { ["recipients"] = new JsonArray("jane@example.com"), ["method"] = "Email" });

        // Complete A and C once their time has come.
        factory.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/complete", HttpStatusCode.OK, complete);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idC}/complete", HttpStatusCode.BadRequest, new JsonObject { ["performanceRating"] = 9 });
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idC}/complete", HttpStatusCode.OK, new JsonObject());
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idC}/complete", HttpStatusCode.Conflict, complete);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/complete", HttpStatusCode.PreconditionFailed, complete, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{missing}/complete", HttpStatusCode.NotFound, complete);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/complete", HttpStatusCode.UnsupportedMediaType, complete.ToJsonString(), contentType: "text/plain");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/complete", HttpStatusCode.RequestEntityTooLarge, $$"""{"interviewNotes": "{{tooLarge}}"}""");
        await checks.ExpectAsync(anonymous, HttpMethod.Put, $"/api/interviews/{idB}/complete", HttpStatusCode.Unauthorized, complete);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/prepare", HttpStatusCode.Conflict, prepare);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/reschedule", HttpStatusCode.Conflict, reschedule);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}", HttpStatusCode.Conflict, update);

        // Thank-you notes.
        var thanks = new JsonObject { ["recipients"] = new JsonArray("jane.smith@techcorp.com"), ["method"] = "Email", ["notes"] = "Personal thanks" };
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{idC}/thank-you", HttpStatusCode.BadRequest, new JsonObject { ["recipients"] = new JsonArray(), ["method"] = "Pigeon" });
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{idA}/thank-you", HttpStatusCode.OK, thanks);
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{idA}/thank-you", HttpStatusCode.Conflict, thanks);
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{idC}/thank-you", HttpStatusCode.PreconditionFailed, thanks, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{missing}/thank-you", HttpStatusCode.NotFound, thanks);
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{idC}/thank-you", HttpStatusCode.UnsupportedMediaType, thanks.ToJsonString(), contentType: "text/plain");
        await checks.ExpectAsync(alice, HttpMethod.Post, $"/api/interviews/{idC}/thank-you", HttpStatusCode.RequestEntityTooLarge, $$"""{"notes": "{{tooLarge}}"}""");
        await checks.ExpectAsync(anonymous, HttpMethod.Post, $"/api/interviews/{idC}/thank-you", HttpStatusCode.Unauthorized, thanks);
        await checks.ExpectAsync(alice, HttpMethod.Get, $"/api/interviews/{idA}", HttpStatusCode.OK);

        // Outcomes: only once completed (A), replaced by a later one, with an Idempotency-Key; the list filters by them.
        var noDecision = new JsonObject { ["outcome"] = "NoDecision", ["notes"] = "Waiting for the panel" };
        var offer = new JsonObject { ["outcome"] = "Offer", ["decidedAt"] = Instant(factory.Clock.GetUtcNow().AddMinutes(-5)) };
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}/outcome", HttpStatusCode.Conflict, noDecision);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.BadRequest, new JsonObject { ["outcome"] = "Hired", ["decidedAt"] = "2020-01-01T00:00:00Z" });
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.OK, noDecision);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.OK, offer, idempotencyKey: "outcome-offer-1");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.OK, offer, idempotencyKey: "outcome-offer-1");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.UnprocessableEntity, noDecision, idempotencyKey: "outcome-offer-1");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.PreconditionFailed, offer, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{missing}/outcome", HttpStatusCode.NotFound, offer);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.UnsupportedMediaType, offer.ToJsonString(), contentType: "text/plain");
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.RequestEntityTooLarge, $$"""{"notes": "{{tooLarge}}"}""");
        await checks.ExpectAsync(anonymous, HttpMethod.Put, $"/api/interviews/{idA}/outcome", HttpStatusCode.Unauthorized, offer);
        var offers = await (await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews?outcome=Offer", HttpStatusCode.OK)).JsonAsync();
        Assert.Equal([idA], offers["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews?outcome=Hired", HttpStatusCode.BadRequest);

        // Cancel.
        await checks.ExpectAsync(alice, HttpMethod.Delete, $"/api/interviews/{idB}", HttpStatusCode.PreconditionFailed, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Delete, $"/api/interviews/{idB}", HttpStatusCode.NoContent);
        await checks.ExpectAsync(alice, HttpMethod.Delete, $"/api/interviews/{idB}", HttpStatusCode.NoContent);
        await checks.ExpectAsync(alice, HttpMethod.Delete, $"/api/interviews/{idA}", HttpStatusCode.Conflict);
        await checks.ExpectAsync(alice, HttpMethod.Delete, $"/api/interviews/{missing}", HttpStatusCode.NotFound);
        await checks.ExpectAsync(anonymous, HttpMethod.Delete, $"/api/interviews/{idB}", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(alice, HttpMethod.Put, $"/api/interviews/{idB}", HttpStatusCode.Conflict, update);
        await checks.ExpectAsync(alice, HttpMethod.Get, $"/api/interviews/{idB}", HttpStatusCode.OK);

        // Notification settings.
        var settings = new JsonObject
        {
            ["email"] = "alice@example.com", ["reminderMinutesBefore"] = new JsonArray(30, 1440), ["timezone"] = "Europe/Paris",
            ["quietHours"] = new JsonObject { ["start"] = "22:00", ["end"] = "07:00" }, ["morningDigestAt"] = "07:30",
        };
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/me/notification-settings", HttpStatusCode.OK);
        var saved = await checks.ExpectAsync(alice, HttpMethod.Put, "/api/me/notification-settings", HttpStatusCode.OK, settings);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/me/notification-settings", HttpStatusCode.OK);
        await checks.ExpectAsync(alice, HttpMethod.Put, "/api/me/notification-settings", HttpStatusCode.BadRequest, new JsonObject { ["reminderMinutesBefore"] = new JsonArray(-5) });
        await checks.ExpectAsync(alice, HttpMethod.Put, "/api/me/notification-settings", HttpStatusCode.PreconditionFailed, settings, ifMatch: stale);
        await checks.ExpectAsync(alice, HttpMethod.Put, "/api/me/notification-settings", HttpStatusCode.OK, settings, ifMatch: saved.Headers.ETag!.ToString());
        await checks.ExpectAsync(alice, HttpMethod.Put, "/api/me/notification-settings", HttpStatusCode.UnsupportedMediaType, settings.ToJsonString(), contentType: "text/plain");
        await checks.ExpectAsync(alice, HttpMethod.Put, "/api/me/notification-settings", HttpStatusCode.RequestEntityTooLarge, $$"""{"email": "{{tooLarge}}"}""");
        await checks.ExpectAsync(anonymous, HttpMethod.Get, "/api/me/notification-settings", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(anonymous, HttpMethod.Put, "/api/me/notification-settings", HttpStatusCode.Unauthorized, settings);

        // Calendar: the host's providers are fakes on loopback (Interviews.Tests/Calendar).
        using var dave = factory.ClientFor(LocalHostFactory.NewUser());
        using var nobody = factory.ClientFor(null);
        using var browser = host.Browser();
        var (idD, _, _) = await dave.ScheduleAsync(factory);
        var consent = await (await checks.ExpectAsync(dave, HttpMethod.Post, "/api/calendar/connections/google", HttpStatusCode.OK)).JsonAsync();
        var consentQuery = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(consent["authorizationUrl"]!.GetValue<string>()).Query);
        var callback = $"/api/calendar/oauth/google/callback?code={host.Google.IssueCode(consentQuery["code_challenge"].ToString())}&state={Uri.EscapeDataString(consentQuery["state"].ToString())}";
        await checks.ExpectAsync(browser, HttpMethod.Get, callback, HttpStatusCode.Redirect);
        await checks.ExpectAsync(browser, HttpMethod.Get, callback, HttpStatusCode.BadRequest);
        await checks.ExpectAsync(dave, HttpMethod.Post, "/api/calendar/connections/yahoo", HttpStatusCode.NotFound);
        await checks.ExpectAsync(nobody, HttpMethod.Post, "/api/calendar/connections/google", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(dave, HttpMethod.Get, "/api/calendar/connections", HttpStatusCode.OK);
        await checks.ExpectAsync(nobody, HttpMethod.Get, "/api/calendar/connections", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(dave, HttpMethod.Delete, "/api/calendar/connections/outlook", HttpStatusCode.NotFound);
        await checks.ExpectAsync(dave, HttpMethod.Delete, "/api/calendar/connections/google?removeEvents=maybe", HttpStatusCode.BadRequest);
        await checks.ExpectAsync(dave, HttpMethod.Delete, "/api/calendar/connections/google?removeEvents=true", HttpStatusCode.NoContent);
        await checks.ExpectAsync(nobody, HttpMethod.Delete, "/api/calendar/connections/google", HttpStatusCode.Unauthorized);
        var feedUrl = new Uri((await (await checks.ExpectAsync(dave, HttpMethod.Post, "/api/calendar/feed", HttpStatusCode.OK)).JsonAsync())["url"]!.GetValue<string>());
        await checks.ExpectAsync(nobody, HttpMethod.Post, "/api/calendar/feed", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(nobody, HttpMethod.Get, feedUrl.AbsolutePath, HttpStatusCode.OK);
        await checks.ExpectAsync(nobody, HttpMethod.Get, "/api/calendar/feed/unknown.ics", HttpStatusCode.NotFound);
        await checks.ExpectAsync(dave, HttpMethod.Delete, "/api/calendar/feed", HttpStatusCode.NoContent);
        await checks.ExpectAsync(nobody, HttpMethod.Delete, "/api/calendar/feed", HttpStatusCode.Unauthorized);
        await checks.ExpectAsync(dave, HttpMethod.Get, $"/api/interviews/{idD}/calendar.ics", HttpStatusCode.OK);
        await checks.ExpectAsync(dave, HttpMethod.Get, $"/api/interviews/{missing}/calendar.ics", HttpStatusCode.NotFound);
        await checks.ExpectAsync(nobody, HttpMethod.Get, $"/api/interviews/{idD}/calendar.ics", HttpStatusCode.Unauthorized);

        // Insights: Alice's interviews above, by month.
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews/insights", HttpStatusCode.OK);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews/insights?dateFrom=2026-01&dateTo=2026-12-31", HttpStatusCode.OK);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews/insights?dateFrom=yesterday", HttpStatusCode.BadRequest);
        await checks.ExpectAsync(alice, HttpMethod.Get, "/api/interviews/insights?dateFrom=2020-01&dateTo=2026-01", HttpStatusCode.BadRequest);
        await checks.ExpectAsync(anonymous, HttpMethod.Get, "/api/interviews/insights", HttpStatusCode.Unauthorized);

        // Calendar webhooks (anonymous): the same answer for anything that is not a valid notification.
        var googleHeaders = new Dictionary<string, string>
        {
            ["X-Goog-Channel-ID"] = Guid.NewGuid().ToString("N"),
            ["X-Goog-Channel-Token"] = "forged",
            ["X-Goog-Resource-State"] = "exists",
            ["X-Goog-Message-Number"] = "7",
            ["X-Goog-Resource-ID"] = "res-1",
            ["X-Goog-Resource-URI"] = "https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json",
            ["X-Goog-Channel-Expiration"] = "Tue, 10 Mar 2026 09:00:00 GMT",
        };
        await checks.ExpectAsync(nobody, HttpMethod.Post, "/api/calendar/notifications/google", HttpStatusCode.OK, headers: googleHeaders);
        await checks.ExpectAsync(nobody, HttpMethod.Post, "/api/calendar/notifications/google", HttpStatusCode.OK, headers: new Dictionary<string, string>(googleHeaders) { ["X-Goog-Resource-State"] = "sync", ["X-Goog-Message-Number"] = "1" });
        var graphBatch = new JsonObject { ["value"] = new JsonArray(new JsonObject { ["subscriptionId"] = Guid.NewGuid().ToString("D"), ["clientState"] = "forged", ["changeType"] = "updated", ["resource"] = "Users/x/Events/y" }) };
        var lifecycleBatch = new JsonObject { ["value"] = new JsonArray(new JsonObject { ["subscriptionId"] = Guid.NewGuid().ToString("D"), ["clientState"] = "forged", ["lifecycleEvent"] = "missed" }) };
        foreach (var (path, batch) in new[] { ("/api/calendar/notifications/microsoft", graphBatch), ("/api/calendar/notifications/microsoft/lifecycle", lifecycleBatch) })
        {
            var echoed = await checks.ExpectAsync(nobody, HttpMethod.Post, $"{path}?validationToken=Validation%3A%20Testing", HttpStatusCode.OK, "", contentType: "text/plain");
            Assert.Equal("Validation: Testing", await echoed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            await checks.ExpectAsync(nobody, HttpMethod.Post, path, HttpStatusCode.Accepted, batch);
        }

        // Every operation was exercised, and every one that needs a token answered 401 without one.
        foreach (var operation in Contract.Operations())
        {
            // A success is a 2xx, or the 302 of the OAuth callback; anonymous operations declare `security: []`.
            Assert.Contains(checks.Seen, s => s.StartsWith(operation + " 2", StringComparison.Ordinal) || s.StartsWith(operation + " 302", StringComparison.Ordinal));
            var declared = Contract.Document["paths"]![operation[(operation.IndexOf(' ', StringComparison.Ordinal) + 1)..]]![operation[..operation.IndexOf(' ', StringComparison.Ordinal)].ToLowerInvariant()]!;
            if (!operation.EndsWith("/health", StringComparison.Ordinal) && !operation.EndsWith("/openapi.json", StringComparison.Ordinal) && declared["security"] is not JsonArray { Count: 0 })
            {
                Assert.Contains(operation + " 401", checks.Seen);
            }
        }
    }

    [Fact]
    public async Task Health_answers_503_without_data_when_the_store_is_unreachable()
    {
        using var factory = new LocalHostFactory { ExtraServices = services => services.Replace(ServiceDescriptor.Singleton<IDocumentContainer>(new UnreachableStore())) };
        using var client = factory.ClientFor(null);
        var response = await new Checks(Contract).ExpectAsync(client, HttpMethod.Get, "/api/health", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("""{"status":"Unhealthy","store":"Unreachable"}""", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Health_answers_200_and_names_no_data_when_the_store_answers()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor(null);
        var response = await new Checks(Contract).ExpectAsync(client, HttpMethod.Get, "/api/health", HttpStatusCode.OK);
        Assert.Equal("""{"status":"Healthy","store":"Reachable"}""", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_contract_check_refuses_answers_the_document_does_not_declare()
    {
        var id = Guid.NewGuid();
        await Contract.AssertConformsAsync(Answer("/api/health", 200, """{"status":"Healthy","store":"Reachable"}"""));
        await Refused(Answer("/api/health", 200, """{"status":"Healthy","store":"Reachable","interviews":3}"""));
        await Refused(Answer("/api/health", 200, """{"status":"Fine","store":"Reachable"}"""));
        await Refused(Answer("/api/health", 418, """{"status":"Healthy","store":"Reachable"}"""));
        await Refused(Answer("/api/health", 200, """{"status":"Healthy","store":"Reachable"}""", "text/plain"));
        await Refused(Answer("/api/nowhere", 200, "{}"));
        await Refused(Answer($"/api/interviews/{id}", 200, "{}"));
        await Refused(Answer($"/api/interviews/{id}", 404, $$"""{"type":"https://www.rfc-editor.org/rfc/rfc9110#status.404","title":"Not found.","status":404,"detail":"No interview with this id.","instance":"/api/interviews/{{id}}","code":"not-found"}""", "application/problem+json"));
        await Refused(Answer($"/api/interviews/{id}", 404, $$"""{"type":"https://www.rfc-editor.org/rfc/rfc9110#status.404","title":"Not found.","status":404,"detail":"x","instance":"/","code":"not-found","traceId":"t","stackTrace":"at …"}""", "application/problem+json"));
        await Contract.AssertConformsAsync(Answer($"/api/interviews/{id}", 404, $$"""{"type":"https://www.rfc-editor.org/rfc/rfc9110#status.404","title":"Not found.","status":404,"detail":"x","instance":"/","code":"not-found","traceId":"t"}""", "application/problem+json"));

        static async Task Refused(HttpResponseMessage answer) =>
            await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => Contract.AssertConformsAsync(answer));

        static HttpResponseMessage Answer(string path, int status, string body, string contentType = "application/json") => new((HttpStatusCode)status)
        {
            RequestMessage = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri("http://127.0.0.1/"), path)),
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
    }

    private static string Instant(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Interviews.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Interviews.sln) is not above the test output.");
    }

    /// <summary>
    /// Sends a request, asserts the expected status, then that the answer conforms to the document. With a
    /// <see cref="ValidatingProxy"/>, the request goes through it, and its violations are sorted: any on an answer,
    /// any on a request meant to succeed, and those on the deliberately bad requests (expected 4xx).
    /// </summary>
    private sealed class Checks(OpenApiContract contract, ValidatingProxy? proxy = null)
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

        public List<string> ResponseViolations { get; } = [];

        public List<string> UnexpectedRequestViolations { get; } = [];

        public List<string> FlaggedBadRequests { get; } = [];

        public int Sent { get; private set; }

        /// <summary>Requests sent around the proxy (a body that is not JSON, a redirect).</summary>
        public List<string> SentAround { get; } = [];

        public async Task<HttpResponseMessage> ExpectAsync(
            HttpClient client, HttpMethod method, string path, HttpStatusCode expected, object? body = null, string? ifMatch = null, string contentType = "application/json", string? idempotencyKey = null, IReadOnlyDictionary<string, string>? headers = null)
        {
            var direct = new Uri(client.BaseAddress!, path);
            // Prism never answers a request whose JSON body does not parse, and follows a redirect itself (to the
            // app's result page, not on loopback): those few go to the server directly.
            var viaProxy = proxy is not null && (int)expected is < 300 or >= 400 && !(body is string json && contentType == "application/json" && !Parses(json));
            using var request = new HttpRequestMessage(method, viaProxy ? proxy!.Address(direct, contract.ServerPrefix) : direct);
            if (body is not null)
            {
                request.Content = new StringContent(body is JsonNode node ? node.ToJsonString() : (string)body, Encoding.UTF8);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            }

            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            if (idempotencyKey is not null)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            }

            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Sent++;
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(expected == response.StatusCode, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            if (!viaProxy && proxy is not null)
            {
                SentAround.Add($"{method} {path}");
            }

            if (viaProxy)
            {
                Sort(ValidatingProxy.Violations(response), $"{method} {path} → {(int)response.StatusCode}", (int)expected >= 400 && (int)expected < 500);
                response.RequestMessage!.RequestUri = direct;
            }

            await contract.AssertConformsAsync(response);
            var template = contract.Template(direct.AbsolutePath[contract.ServerPrefix.Length..]);
            Seen.Add($"{method.Method} {template} {(int)response.StatusCode}");
            return response;
        }

        private static bool Parses(string json)
        {
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(json);
                return true;
            }
            catch (System.Text.Json.JsonException)
            {
                return false;
            }
        }

        private void Sort(IReadOnlyList<ValidatingProxy.Violation> violations, string where, bool deliberatelyBad)
        {
            foreach (var violation in violations.Where(v => !v.OnRequest))
            {
                ResponseViolations.Add($"{where}: {violation}");
            }

            var onRequest = violations.Where(v => v.OnRequest).ToList();
            if (onRequest.Count > 0)
            {
                (deliberatelyBad ? FlaggedBadRequests : UnexpectedRequestViolations).Add($"{where}: {string.Join("; ", onRequest)}");
            }
        }
    }

    /// <summary>A store whose backend never answers.</summary>
    private sealed class UnreachableStore : IDocumentContainer
    {
        public Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) => throw Unreachable();

        public Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken) => throw Unreachable();

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) => throw Unreachable();

        public Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken) => throw Unreachable();

        public Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken) => throw Unreachable();

        public Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken) => throw Unreachable();

        public Task ProbeAsync(CancellationToken cancellationToken) => throw Unreachable();

        private static IOException Unreachable() => new("The store is unreachable.");
    }
}
