using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Api;

/// <summary>
/// The interview endpoints. Each function parses the request, calls one aggregate method through
/// <see cref="InterviewCommands"/> (or reads through <see cref="InterviewStore"/>) and maps the result;
/// the rules live in <see cref="Interview"/>.
/// </summary>
public sealed class InterviewsApi(InterviewStore store, InterviewCommands commands, NotificationSettingsStore notificationSettings, TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public static readonly TimeSpan UpcomingWindow = TimeSpan.FromDays(30);

    [Function("ScheduleInterview")]
    public async Task<IResult> Schedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "interviews")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        var body = await JsonBody.ReadAsync<ScheduleInterviewRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var r = body.Value!;
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
        var saved = await store.CreateAsync(interview, cancellationToken);
        if (!saved.IsSuccess)
        {
            return Problems.From(saved.Error!);
        }

        return new JsonResult<InterviewResponse>(
            InterviewResponse.From(interview), StatusCodes.Status201Created, saved.Value, $"/api/interviews/{interview.Id:D}");
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

        return Ok(stored);
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
        RunAsync<PrepareInterviewRequest>(request, id, InterviewCommand.Prepare, cancellationToken, (r, interview, now) =>
            interview.Prepare(r.PreparationNotes, r.ResearchCompleted ?? false, r.QuestionsPrepped ?? false, r.MaterialsGathered ?? false, now));

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
        RunAsync<ThankYouNoteRequest>(request, id, InterviewCommand.RecordThankYouNote, cancellationToken, (r, interview, now) =>
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
        Func<TRequest, Interview, DateTimeOffset, Result> command)
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

        var body = await JsonBody.ReadAsync<TRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        // The status is checked before the body's values, so that a command the status forbids is a 409
        // whatever the body says.
        var result = await commands.RunAsync(
            userId,
            interviewId,
            IfMatch.From(request),
            (interview, now) => interview.Refusal(kind) is { } refused ? refused : command(body.Value!, interview, now),
            cancellationToken);
        return result.IsSuccess ? Ok(result.Value) : Problems.From(result.Error!);
    }

    private async Task<IResult> PageAsync(Guid userId, InterviewQuery query, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(userId, query, cancellationToken);
        return new JsonResult<InterviewPageResponse>(new InterviewPageResponse([.. page.Items.Select(InterviewSummary.From)], Cursors.Encode(page.Next)));
    }

    private static JsonResult<InterviewResponse> Ok(StoredInterview stored) =>
        new(InterviewResponse.From(stored.Interview), StatusCodes.Status200OK, stored.ETag);


    private static IanaTimeZone? ZoneOrNull(string? id)
    {
        var zone = IanaTimeZone.Create(id);
        return zone.IsSuccess ? zone.Value : null;
    }

}
