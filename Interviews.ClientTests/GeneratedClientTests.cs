#if NO_GENERATED_CLIENT
namespace Interviews.ClientTests;

/// <summary>Stands in for the generated client's tests when Kiota could not generate it at build time.</summary>
public sealed class GeneratedClientTests
{
    [Fact]
    public void The_walk_through_runs_through_the_client_Kiota_generates_from_the_contract() =>
        Assert.Skip("Kiota did not generate the client at build time: run `dotnet tool restore` (the tool of .config/dotnet-tools.json) and build again.");
}
#else
using System.Reflection;
using System.Text.Json;
using Interviews.Client;
using Interviews.Client.Models;
using Interviews.Tests.Support;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace Interviews.ClientTests;

/// <summary>
/// The walk-through of the API as a team using the contract would write it: through the C# client Kiota
/// generates from the served document, against LocalHost on loopback. Errors arrive as typed exceptions
/// with their status, code, detail and fields; every date-time of an answer is a value.
/// </summary>
public sealed class GeneratedClientTests
{
    [Fact]
    public async Task The_walk_through_runs_through_the_client_Kiota_generates_from_the_contract()
    {
        var ct = TestContext.Current.CancellationToken;
        using var factory = new LocalHostFactory();
        var (client, raw) = ClientFor(factory, LocalHostFactory.NewUser());
        var start = factory.Clock.GetUtcNow();

        // Schedule: the answer, its ETag and its Location.
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        var scheduled = await client.Interviews.PostAsync(
            Schedule(start.AddDays(1), RequestInterviewType.PhoneScreenAsWritten), c => { c.Options.Add(headers); c.Headers.Add("Idempotency-Key", "walk-1"); }, ct);
        Assert.NotNull(scheduled?.Id);
        var id = scheduled.Id.Value;
        Assert.Equal(InterviewType.PhoneScreen, scheduled.InterviewType);
        Assert.Equal(InterviewStatus.Scheduled, scheduled.Status);
        Assert.Equal(start.AddDays(1), scheduled.ScheduledAt);
        Assert.Null(scheduled.CompletedAt);
        Assert.Equal(VideoProvider.Zoom, scheduled.VideoProvider);
        Assert.Equal($"/api/interviews/{id:D}", headers.ResponseHeaders["Location"].Single());
        var etag = headers.ResponseHeaders["ETag"].Single();

        // Get.
        var got = await client.Interviews[id].GetAsync(cancellationToken: ct);
        Assert.Equal(scheduled.UpdatedAt, got!.UpdatedAt);
        await AssertDatesAreValuesAsync(got, raw, $"/api/interviews/{id:D}");

        // Prepare with questions.
        var prepared = await client.Interviews[id].Prepare.PutAsync(new PrepareInterviewRequest
        {
            PreparationNotes = "STAR stories",
            ResearchCompleted = true,
            Questions = [new PreparationQuestionRequest { Question = "Why us?", AnswerNotes = "The mission" }],
        }, cancellationToken: ct);
        Assert.Equal(InterviewStatus.Prepared, prepared!.Status);
        Assert.Equal("Why us?", prepared.Questions!.Single().Question);

        // Reschedule with a fresh If-Match, then with the stale one: a typed 412 with its code.
        headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        await client.Interviews[id].GetAsync(c => c.Options.Add(headers), ct);
        var fresh = headers.ResponseHeaders["ETag"].Single();
        Assert.NotEqual(etag, fresh);
        var moved = await client.Interviews[id].Reschedule.PutAsync(
            new RescheduleInterviewRequest { NewDateTime = Instant(start.AddDays(2)), Reason = "Conflict", InitiatedBy = RescheduleInitiator.Company },
            c => c.Headers.Add("If-Match", fresh), ct);
        Assert.Equal(InterviewStatus.Rescheduled, moved!.Status);
        var history = moved.RescheduleHistory!.Single();
        Assert.Equal((start.AddDays(1), start.AddDays(2), start), (history.PreviousDateTime, history.NewDateTime, history.RescheduledAt));
        var stale = await Assert.ThrowsAsync<PreconditionFailedProblem>(() => client.Interviews[id].Reschedule.PutAsync(
            new RescheduleInterviewRequest { NewDateTime = Instant(start.AddDays(3)), InitiatedBy = RescheduleInitiator.Candidate },
            c => c.Headers.Add("If-Match", fresh), ct));
        Assert.Equal((412, 412, ProblemCode.EtagMismatch), (stale.ResponseStatusCode, stale.Status, stale.Code));
        Assert.Equal(stale.Detail, stale.Message);
        Assert.Contains("ETag", stale.Message, StringComparison.Ordinal);

        // List with filters, two cursor pages; upcoming.
        var second = await client.Interviews.PostAsync(Schedule(start.AddDays(4), RequestInterviewType.Video), cancellationToken: ct);
        var third = await client.Interviews.PostAsync(Schedule(start.AddDays(5), RequestInterviewType.Video), cancellationToken: ct);
        var page1 = await client.Interviews.GetAsync(c => { c.QueryParameters.InterviewType = RequestInterviewType.Video; c.QueryParameters.Status = InterviewStatus.Scheduled; c.QueryParameters.Limit = 1; }, ct);
        Assert.Equal(second!.Id, page1!.Items!.Single().Id);
        Assert.NotNull(page1.NextCursor);
        var page2 = await client.Interviews.GetAsync(c => { c.QueryParameters.InterviewType = RequestInterviewType.Video; c.QueryParameters.Status = InterviewStatus.Scheduled; c.QueryParameters.Limit = 1; c.QueryParameters.Cursor = page1.NextCursor; }, ct);
        Assert.Equal(third!.Id, page2!.Items!.Single().Id);
        Assert.Null(page2.NextCursor);
        Assert.Equal(start.AddDays(5), page2.Items!.Single().ScheduledAt);
        var upcoming = await client.Interviews.Upcoming.GetAsync(c => c.QueryParameters.Limit = 10, ct);
        Assert.Equal([id, second.Id!.Value, third.Id!.Value], upcoming!.Items!.Select(i => i.Id!.Value));

        // Cancel.
        await client.Interviews[third.Id!.Value].DeleteAsync(cancellationToken: ct);
        Assert.Equal(InterviewStatus.Cancelled, (await client.Interviews[third.Id!.Value].GetAsync(cancellationToken: ct))!.Status);

        // Complete and thank: completedAt and thankYouSentAt come back as instants, here and in lists.
        factory.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(2));
        var completed = await client.Interviews[id].Complete.PutAsync(new CompleteInterviewRequest { PerformanceRating = 4 }, cancellationToken: ct);
        Assert.Equal(factory.Clock.GetUtcNow(), completed!.CompletedAt);
        var thanked = await client.Interviews[id].ThankYou.PostAsync(new ThankYouNoteRequest { Recipients = ["jane@example.com"], Method = ThankYouMethod.Email }, cancellationToken: ct);
        Assert.Equal(factory.Clock.GetUtcNow(), thanked!.ThankYouSentAt);
        await AssertDatesAreValuesAsync(thanked, raw, $"/api/interviews/{id:D}");
        var summary = (await client.Interviews.GetAsync(c => c.QueryParameters.Status = InterviewStatus.Completed, ct))!.Items!.Single();
        Assert.Equal(completed.CompletedAt, summary.CompletedAt);
        var conflict = await Assert.ThrowsAsync<ConflictProblem>(() => client.Interviews[id].DeleteAsync(cancellationToken: ct));
        Assert.Equal((409, ProblemCode.CancelNotAllowed), (conflict.Status, conflict.Code));

        // Settings: the zone is a string, not an empty object.
        var settings = await client.Me.NotificationSettings.PutAsync(new NotificationSettingsRequest { Timezone = "Europe/Paris", ReminderMinutesBefore = [30] }, cancellationToken: ct);
        Assert.Equal(("Europe/Paris", 30), (settings!.Timezone, settings.ReminderMinutesBefore!.Single()));

        // The export, typed down to each stored record.
        var export = await client.Me.Export.GetAsync(cancellationToken: ct);
        var exported = export!.Interviews!.Single(i => i.Id == id);
        Assert.Equal((completed.CompletedAt, thanked.ThankYouSentAt), (exported.CompletedAt, exported.ThankYouSentAt));
        Assert.Equal(["Why us?"], exported.PreparationQuestions!.Select(q => q.Question));
        Assert.Equal("Europe/Paris", export.Reminders!.NotificationSettings!.Timezone);
        var scheduledEvent = export.Records!.Select(r => r.ExportedEventRecord?.Document?.InterviewScheduledEvent).First(e => e?.InterviewId == id)!;
        Assert.Equal(start.AddDays(1), scheduledEvent.Data!.ScheduledAt);
        Assert.Contains(export.Records!, r => r.ExportedIdempotencyRecord?.Document?.Endpoint == "POST /interviews");
        Assert.Empty(export.Calendar!.Connections!);

        // A validation failure: a typed error with every invalid field in errors.
        var invalid = await Assert.ThrowsAsync<ValidationProblem>(() => client.Interviews.PostAsync(new ScheduleInterviewRequest
        {
            ApplicationId = Guid.Empty,
            Duration = 5,
            Interviewers = ["Jane", " "],
            Timezone = "Mars/Base",
            ScheduledAt = "yesterday",
        }, cancellationToken: ct));
        Assert.Equal((400, ProblemCode.Validation), (invalid.Status, invalid.Code));
        Assert.Equal("One or more fields are invalid.", invalid.Message);
        var errors = invalid.Errors!;
        Assert.All(new[] { errors.ApplicationId, errors.InterviewType, errors.Duration, errors.Timezone, errors.ScheduledAt }, messages => Assert.NotEmpty(messages!));
        Assert.Equal(["interviewers[1]"], errors.AdditionalData.Keys);
        Assert.Null(errors.Location);
    }

    [Fact]
    public void No_model_of_the_generated_client_is_an_empty_class()
    {
        // An anyOf of a $ref to a string schema and null became a class with no members (Instant {}, IanaTimeZone {}).
        var models = typeof(InterviewsClient).Assembly.GetTypes().Where(t => t.Namespace == "Interviews.Client.Models" && t.IsClass && typeof(IParsable).IsAssignableFrom(t)).ToList();
        Assert.NotEmpty(models);
        var empty = models.Where(m => !m.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Any(p => p.Name is not ("AdditionalData" or "Message")));
        // The one map of the contract (counter name to value): Kiota has no dictionaries and keeps its entries in AdditionalData.
        Assert.Equal(["StoredInsightsMonth_counters"], empty.Select(m => m.Name));
        Assert.DoesNotContain(models, m => m.Name is "Instant" or "IanaTimeZone");
    }

    /// <summary>Every date-time of the model is a value equal to the instant the raw JSON answer holds (or both are null).</summary>
    private static async Task AssertDatesAreValuesAsync(IParsable model, HttpClient raw, string path)
    {
        using var json = JsonDocument.Parse(await raw.GetStringAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken));
        var checkedDates = 0;
        foreach (var property in model.GetType().GetProperties().Where(p => p.PropertyType == typeof(DateTimeOffset?)))
        {
            var name = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            var sent = json.RootElement.GetProperty(name);
            var value = (DateTimeOffset?)property.GetValue(model);
            Assert.True(sent.ValueKind == JsonValueKind.Null ? value is null : value == DateTimeOffset.Parse(sent.GetString()!, System.Globalization.CultureInfo.InvariantCulture), $"{name}: sent {sent}, read {value}.");
            checkedDates++;
        }

        Assert.Equal(6, checkedDates); // scheduledAt, completedAt, thankYouSentAt, createdAt, updatedAt, decidedAt
    }

    private static (InterviewsClient Client, HttpClient Raw) ClientFor(LocalHostFactory factory, string user)
    {
        var raw = factory.ClientFor(user);
        var token = raw.DefaultRequestHeaders.Authorization!.Parameter!;
        // The client as a team would build it: Kiota's own HTTP pipeline, the service's address, a bearer token.
        var adapter = new HttpClientRequestAdapter(new BearerToken(token), httpClient: KiotaClientFactory.Create())
        {
            BaseUrl = new Uri(raw.BaseAddress!, "api").ToString(),
        };
        return (new InterviewsClient(adapter), raw);
    }

    private static ScheduleInterviewRequest Schedule(DateTimeOffset at, RequestInterviewType type) => new()
    {
        ApplicationId = Guid.Parse("6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11"),
        InterviewType = type,
        ScheduledAt = Instant(at),
        Duration = 60,
        Location = "https://zoom.us/j/12345",
        Interviewers = ["Jane Smith"],
        Timezone = "America/Los_Angeles",
    };

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends the token as <c>Authorization: Bearer</c>.</summary>
    private sealed class BearerToken(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }
    }
}
#endif
