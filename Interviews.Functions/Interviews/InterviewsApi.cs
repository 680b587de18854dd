using System.Text.Json;
using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Interviews;

/// <summary>
/// The interview endpoints. Each function parses the request, calls one aggregate method through
/// <see cref="InterviewCommands"/> (or reads through <see cref="InterviewStore"/>) and maps the result;
/// the rules live in <see cref="Interview"/>.
/// </summary>
public sealed class InterviewsApi(
    InterviewStore store,
    InterviewCommands commands,
    NotificationSettingsStore notificationSettings,
    IdempotencyStore idempotency,
    ConflictFinder conflicts,
    TimeProvider time)
{
    private const string ScheduleEndpoint = "POST /interviews";

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public static readonly TimeSpan UpcomingWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// A preparation may hold 50 questions of 1,000 characters with 4,000 characters of notes each,
    /// more than the usual 64 KB: its body may be 1 MB.
    /// </summary>
    public const int MaxPrepareBodyBytes = 1024 * 1024;

    [Function("ScheduleInterview")]
    public async Task<IResult> Schedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "interviews")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        var key = IdempotencyKey.From(request);
        if (!key.IsSuccess)
        {
            return Problems.From(key.Error!);
        }

        var body = await JsonBody.ReadAsync<ScheduleInterviewRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var r = body.Value!;
        var requestHash = IdempotencyStore.Hash(r, ApiJson.Options);
        IdempotencyLookup? prior = null;
        if (key.Value is { } k)
        {
            prior = await idempotency.FindAsync(userId, ScheduleEndpoint, k.Value, cancellationToken);
            if (prior.Record is { } record)
            {
                return await ReplayAsync(userId, record, requestHash, cancellationToken);
            }
        }

        var errors = new ValidationErrors();
        var details = InterviewDetails.Create(r.ApplicationId, r.InterviewType, r.Duration, r.Location, r.Interviewers, r.Timezone);
        errors.AddFrom(details.Error);
        var scheduledAt = Instants.Parse(r.ScheduledAt, "scheduledAt", details.IsSuccess ? details.Value.Timezone : ZoneOrNull(r.Timezone));
        errors.AddFrom(scheduledAt.Error);
        if (errors.Any)
        {
            return Problems.From(errors.ToError());
        }

        var now = time.GetUtcNow();
        var scheduled = Interview.Schedule(Guid.CreateVersion7(now), userId, details.Value, scheduledAt.Value, now);
        if (!scheduled.IsSuccess)
        {
            return Problems.From(scheduled.Error!);
        }

        // The token's address is where reminders go until the user picks one. Remembered before the
        // interview is saved: if the store fails here the answer is a 503 and nothing was created, so a
        // retry cannot create the interview twice (remembering the address again changes nothing).
        await notificationSettings.RememberTokenEmailAsync(userId, CurrentUser.Email(request), cancellationToken);
        var interview = scheduled.Value;
        var response = await ResponseAsync(interview, cancellationToken);
        var location = $"/api/interviews/{interview.Id:D}";
        IReadOnlyList<DocumentWrite>? alsoWrite = key.Value is { } keyValue
            ? [IdempotencyStore.Write(keyValue.Value, Record(ScheduleEndpoint, requestHash, StatusCodes.Status201Created, response, location, interview, now), prior!.ExpiredETag)]
            : null;
        var saved = await store.CreateAsync(interview, cancellationToken, alsoWrite);
        if (!saved.IsSuccess)
        {
            return saved.Error!.Code == IdempotencyStore.TakenCode
                ? await ReplayWinnerAsync(userId, ScheduleEndpoint, key.Value!, requestHash, cancellationToken)
                : Problems.From(saved.Error!);
        }

        return new JsonResult<InterviewResponse>(response, StatusCodes.Status201Created, saved.Value, location);
    }

    [Function("ListInterviews")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        var query = ListQuery.Parse(request.Query, DefaultPageSize, MaxPageSize);
        if (!query.IsSuccess)
        {
            return Problems.From(query.Error!);
        }

        return await PageAsync(userId, query.Value, cancellationToken);
    }

    [Function("UpcomingInterviews")]
    public async Task<IResult> Upcoming(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews/upcoming")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        var paging = ListQuery.ParsePaging(request.Query, DefaultPageSize, MaxPageSize);
        if (!paging.IsSuccess)
        {
            return Problems.From(paging.Error!);
        }

        var now = time.GetUtcNow();
        var query = paging.Value with
        {
            Statuses = [InterviewStatus.Scheduled, InterviewStatus.Prepared, InterviewStatus.Rescheduled],
            ScheduledFrom = now,
            ScheduledBefore = now + UpcomingWindow,
        };
        return await PageAsync(userId, query, cancellationToken);
    }

    [Function("GetInterview")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        if (!Guid.TryParse(id, out var interviewId) || await store.GetAsync(userId, interviewId, cancellationToken) is not { } stored)
        {
            return Problems.NotFound();
        }

        return await OkAsync(stored, cancellationToken);
    }

    [Function("UpdateInterview")]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        RunAsync<UpdateInterviewRequest>(request, id, InterviewCommand.UpdateDetails, cancellationToken, (r, interview, now) =>
        {
            var errors = new ValidationErrors();
            var details = InterviewDetails.Create(r.ApplicationId, r.InterviewType, r.Duration, r.Location, r.Interviewers, r.Timezone);
            errors.AddFrom(details.Error);
            if (r.ScheduledAt is not null)
            {
                var zone = details.IsSuccess ? details.Value.Timezone : interview.Timezone;
                var scheduledAt = Instants.Parse(r.ScheduledAt, "scheduledAt", zone);
                errors.AddFrom(scheduledAt.Error);
                if (scheduledAt.IsSuccess && scheduledAt.Value != interview.ScheduledAt)
                {
                    errors.Add("scheduledAt", "The time cannot be changed here; use PUT /api/interviews/{id}/reschedule, which keeps the history.");
                }
            }

            return errors.Any ? errors.ToError() : interview.UpdateDetails(details.Value, now);
        });

    [Function("CancelInterview")]
    public async Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "interviews/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        if (!Guid.TryParse(id, out var interviewId))
        {
            return Problems.NotFound();
        }

        var result = await commands.RunAsync(userId, interviewId, IfMatch.From(request), (interview, now) => interview.Cancel(now), cancellationToken);
        return result.IsSuccess ? Results.NoContent() : Problems.From(result.Error!);
    }

    [Function("PrepareInterview")]
    public Task<IResult> Prepare(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}/prepare")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        RunAsync<PrepareInterviewRequest>(request, id, InterviewCommand.Prepare, cancellationToken, maxBodyBytes: MaxPrepareBodyBytes, command: (r, interview, now) =>
            interview.Prepare(r.PreparationNotes, r.ResearchCompleted ?? false, r.QuestionsPrepped ?? false, r.MaterialsGathered ?? false, now, r.Questions));

    [Function("CompleteInterview")]
    public Task<IResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}/complete")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        RunAsync<CompleteInterviewRequest>(request, id, InterviewCommand.Complete, cancellationToken, (r, interview, now) =>
        {
            DateTimeOffset? completedAt = null;
            if (r.CompletedAt is not null)
            {
                var parsed = Instants.Parse(r.CompletedAt, "completedAt", interview.Timezone);
                if (!parsed.IsSuccess)
                {
                    return parsed.Error!;
                }

                completedAt = parsed.Value;
            }

            return interview.Complete(completedAt, r.ActualDuration, r.PerformanceRating, r.InterviewNotes, r.NextSteps, r.FollowUpRequired ?? false, now);
        });

    [Function("RescheduleInterview")]
    public Task<IResult> Reschedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}/reschedule")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        RunAsync<RescheduleInterviewRequest>(request, id, InterviewCommand.Reschedule, cancellationToken, (r, interview, now) =>
        {
            var errors = new ValidationErrors();
            var newTime = Instants.Parse(r.NewDateTime, "newDateTime", interview.Timezone);
            errors.AddFrom(newTime.Error);
            if (!EnumNames.TryParse<RescheduleInitiator>(r.InitiatedBy, out var initiatedBy))
            {
                errors.Add("initiatedBy", $"Who moved the interview is required: one of {EnumNames.Allowed<RescheduleInitiator>()}.");
            }

            return errors.Any ? errors.ToError() : interview.Reschedule(newTime.Value, r.Reason, initiatedBy, now);
        });

    [Function("RecordThankYouNote")]
    public Task<IResult> ThankYou(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "interviews/{id}/thank-you")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        RunAsync<ThankYouNoteRequest>(request, id, InterviewCommand.RecordThankYouNote, cancellationToken, idempotent: true, command: (r, interview, now) =>
        {
            var errors = new ValidationErrors();
            if (!EnumNames.TryParse<ThankYouMethod>(r.Method, out var method))
            {
                errors.Add("method", $"The method is required: one of {EnumNames.Allowed<ThankYouMethod>()}.");
            }

            DateTimeOffset? sentAt = null;
            if (r.SentAt is not null)
            {
                var parsed = Instants.Parse(r.SentAt, "sentAt", interview.Timezone);
                errors.AddFrom(parsed.Error);
                sentAt = parsed.IsSuccess ? parsed.Value : null;
            }

            if (errors.Any)
            {
                return errors.ToError();
            }

            return interview.RecordThankYouNote(r.Recipients, method, r.Notes, sentAt, now);
        });

    private async Task<IResult> RunAsync<TRequest>(
        HttpRequest request,
        string id,
        InterviewCommand kind,
        CancellationToken cancellationToken,
        Func<TRequest, Interview, DateTimeOffset, Result> command,
        bool idempotent = false,
        int maxBodyBytes = JsonBody.MaxBytes)
        where TRequest : class
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        // An id that cannot exist is a 404 before the body is looked at, as for any missing interview.
        if (!Guid.TryParse(id, out var interviewId))
        {
            return Problems.NotFound();
        }

        var key = idempotent ? IdempotencyKey.From(request) : new Result<IdempotencyKey?>();
        if (!key.IsSuccess)
        {
            return Problems.From(key.Error!);
        }

        var body = await JsonBody.ReadAsync<TRequest>(request, maxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        // Keys are per user and per endpoint; the interview's id is part of the endpoint.
        var endpoint = $"{request.Method.ToUpperInvariant()} /interviews/{interviewId:D}/{kind}";
        var requestHash = key.Value is null ? "" : IdempotencyStore.Hash(body.Value!, ApiJson.Options);
        IdempotencyLookup? prior = null;
        if (key.Value is { } k)
        {
            prior = await idempotency.FindAsync(userId, endpoint, k.Value, cancellationToken);
            if (prior.Record is { } record)
            {
                return await ReplayAsync(userId, record, requestHash, cancellationToken);
            }
        }

        // The status is checked before the body's values, so that a command the status forbids is a 409
        // whatever the body says. The answer's conflicts are read before the write (see beforeSave).
        IReadOnlyList<InterviewConflict>? conflictsOfChange = null;
        var result = await commands.RunAsync(
            userId,
            interviewId,
            IfMatch.From(request),
            (interview, now) => interview.Refusal(kind) is { } refused ? refused : command(body.Value!, interview, now),
            cancellationToken,
            key.Value is not { } keyValue ? null : interview =>
            [
                // Only idempotent commands on completed interviews (thank-you notes), which never conflict: the
                // answer is known before the write.
                IdempotencyStore.Write(
                    keyValue.Value,
                    Record(endpoint, requestHash, StatusCodes.Status200OK, InterviewResponse.From(interview, []), null, interview, time.GetUtcNow()),
                    prior!.ExpiredETag),
            ],
            async (interview, ct) => conflictsOfChange = await conflicts.FindAsync(interview, ct));
        if (!result.IsSuccess && key.Value is { } repeated)
        {
            // A concurrent repeat may have won between our look-up and our load: then this one saw its
            // change (a thank-you note already recorded) and must answer what the winner answered.
            var winner = await idempotency.FindAsync(userId, endpoint, repeated.Value, cancellationToken);
            if (winner.Record is { } record)
            {
                return await ReplayAsync(userId, record, requestHash, cancellationToken);
            }

            if (result.Error!.Code == IdempotencyStore.TakenCode)
            {
                return Problems.From(InterviewErrors.Contention);
            }
        }

        if (!result.IsSuccess)
        {
            return Problems.From(result.Error!);
        }

        return conflictsOfChange is { } known
            ? new JsonResult<InterviewResponse>(InterviewResponse.From(result.Value.Interview, known), StatusCodes.Status200OK, result.Value.ETag)
            : await OkAsync(result.Value, cancellationToken);
    }

    /// <summary>The answer a repeat gets: the original one, or 422 when the key came with another body.</summary>
    private async Task<IResult> ReplayAsync(Guid userId, IdempotencyRecord record, string requestHash, CancellationToken cancellationToken)
    {
        if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return Problems.From(IdempotencyKey.Reused);
        }

        var current = await store.GetAsync(userId, record.InterviewId, cancellationToken);
        return IdempotencyKey.Replay(record, current?.Interview.Version == record.InterviewVersion ? current.ETag : null);
    }

    /// <summary>A concurrent repeat wrote its record first: answer what it answered.</summary>
    private async Task<IResult> ReplayWinnerAsync(Guid userId, string endpoint, IdempotencyKey key, string requestHash, CancellationToken cancellationToken)
    {
        var winner = await idempotency.FindAsync(userId, endpoint, key.Value, cancellationToken);
        return winner.Record is { } record
            ? await ReplayAsync(userId, record, requestHash, cancellationToken)
            : Problems.From(InterviewErrors.Contention);
    }

    private static IdempotencyRecord Record(string endpoint, string requestHash, int status, InterviewResponse response, string? location, Interview interview, DateTimeOffset now) =>
        new(endpoint, requestHash, status, JsonSerializer.Serialize(response, ApiJson.Options), location, interview.Id, interview.Version, now);

    private async Task<IResult> PageAsync(Guid userId, InterviewQuery query, CancellationToken cancellationToken)
    {
        var page = await store.ListSummariesAsync(userId, query, cancellationToken);
        return new SummaryPageResult(page.Items, Cursors.Encode(page.Next));
    }

    private async Task<IResult> OkAsync(StoredInterview stored, CancellationToken cancellationToken) =>
        new JsonResult<InterviewResponse>(await ResponseAsync(stored.Interview, cancellationToken), StatusCodes.Status200OK, stored.ETag);

    /// <summary>The interview as every endpoint answers it.</summary>
    private async Task<InterviewResponse> ResponseAsync(Interview interview, CancellationToken cancellationToken) =>
        InterviewResponse.From(interview, await conflicts.FindAsync(interview, cancellationToken));


    private static IanaTimeZone? ZoneOrNull(string? id)
    {
        var zone = IanaTimeZone.Create(id);
        return zone.IsSuccess ? zone.Value : null;
    }

}
