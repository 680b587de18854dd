using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Interviews;

/// <summary>
/// The interview endpoints. Each reads straight down: parse the request, load, call one aggregate verb
/// (<see cref="IInterviewCommandRequest"/>), save the change with everything that belongs in its batch
/// (<see cref="InterviewCommands"/>), map the answer. The rules live in <see cref="Interview"/>.
/// </summary>
public sealed class InterviewsApi(
    InterviewStore store,
    InterviewCommands commands,
    Idempotency idempotency,
    ConflictFinder conflicts,
    DebriefQuestions debrief,
    IEnumerable<IScheduleCompanion> scheduleCompanions,
    TimeProvider time)
{
    private const string ScheduleEndpoint = "POST /interviews";

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public static readonly TimeSpan UpcomingWindow = TimeSpan.FromDays(30);

    /// <summary>How many times a new interview's write is tried when a companion document changed under it.</summary>
    private const int MaxScheduleAttempts = 5;

    [Function("ScheduleInterview")]
    public async Task<IResult> Schedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "interviews")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
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

        var repeat = await idempotency.BeginAsync(user, ScheduleEndpoint, key.Value, body.Value!, cancellationToken);
        if (repeat.Answer is { } answer)
        {
            return answer;
        }

        var now = time.GetUtcNow();
        var scheduled = body.Value!.Schedule(Guid.CreateVersion7(now), user.Id, now);
        if (!scheduled.IsSuccess)
        {
            return Problems.From(scheduled.Error!);
        }

        var interview = scheduled.Value;
        var response = InterviewResponse.From(interview, await conflicts.FindAsync(interview, cancellationToken), await debrief.FindAsync(interview, cancellationToken));
        var location = $"/api/interviews/{interview.Id:D}";
        for (var attempt = 1; attempt <= MaxScheduleAttempts; attempt++)
        {
            // Another feature's documents (the token's e-mail address) go in the same write, read afresh each time.
            var companions = new List<DocumentWrite>(repeat.RecordOf(StatusCodes.Status201Created, response, location, interview));
            companions.AddRange(await scheduleCompanions.WritesAsync(user, cancellationToken));

            var saved = await store.SaveAsync(interview, null, companions, cancellationToken);
            if (saved.Saved)
            {
                return new JsonResult<InterviewResponse>(response, StatusCodes.Status201Created, saved.ETag, location);
            }

            if (saved.LostCompanion == 0 && await repeat.WinnerAsync(cancellationToken) is { } winner)
            {
                // A concurrent repeat with the same key wrote its record first: answer what it answered.
                return winner;
            }
        }

        return Problems.From(InterviewErrors.Contention);
    }

    [Function("ListInterviews")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        var query = ListQuery.Parse(request.Query, DefaultPageSize, MaxPageSize);
        return query.IsSuccess ? await PageAsync(user, query.Value, cancellationToken) : Problems.From(query.Error!);
    }

    [Function("UpcomingInterviews")]
    public async Task<IResult> Upcoming(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews/upcoming")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
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
        return await PageAsync(user, query, cancellationToken);
    }

    [Function("GetInterview")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "interviews/{id}")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var interviewId) || await store.GetAsync(user.Id, interviewId, cancellationToken) is not { } stored)
        {
            return Problems.From(Interview.NotFound);
        }

        var response = InterviewResponse.From(
            stored.Interview, await conflicts.FindAsync(stored.Interview, cancellationToken), await debrief.FindAsync(stored.Interview, cancellationToken));
        return new JsonResult<InterviewResponse>(response, StatusCodes.Status200OK, stored.ETag);
    }

    [Function("UpdateInterview")]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync<UpdateInterviewRequest>(request, user, id, InterviewCommand.UpdateDetails, cancellationToken);

    [Function("CancelInterview")]
    public async Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "interviews/{id}")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var interviewId))
        {
            return Problems.From(Interview.NotFound);
        }

        var result = await commands.RunAsync(user.Id, interviewId, IfMatch.From(request), (interview, now) => interview.Cancel(now), cancellationToken);
        return result.IsSuccess ? Results.NoContent() : Problems.From(result.Error!);
    }

    [Function("PrepareInterview")]
    public Task<IResult> Prepare(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}/prepare")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync<PrepareInterviewRequest>(request, user, id, InterviewCommand.Prepare, cancellationToken, PrepareInterviewRequest.MaxBodyBytes);

    [Function("CompleteInterview")]
    public Task<IResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}/complete")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync<CompleteInterviewRequest>(request, user, id, InterviewCommand.Complete, cancellationToken);

    [Function("RescheduleInterview")]
    public Task<IResult> Reschedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}/reschedule")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync<RescheduleInterviewRequest>(request, user, id, InterviewCommand.Reschedule, cancellationToken);

    /// <summary>Takes an <c>Idempotency-Key</c>: recording a thank-you note twice is refused, so a retry must replay.</summary>
    [Function("RecordThankYouNote")]
    public Task<IResult> ThankYou(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "interviews/{id}/thank-you")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync<ThankYouNoteRequest>(request, user, id, InterviewCommand.RecordThankYouNote, cancellationToken);

    /// <summary>
    /// Records what came of a completed interview, replacing an earlier outcome. Takes an
    /// <c>Idempotency-Key</c>: a retry of an outcome that was changed again meanwhile replays its own answer
    /// instead of setting the older value back.
    /// </summary>
    [Function("RecordInterviewOutcome")]
    public Task<IResult> Outcome(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "interviews/{id}/outcome")] HttpRequest request,
        CurrentUser user,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync<RecordOutcomeRequest>(request, user, id, InterviewCommand.RecordOutcome, cancellationToken);

    /// <summary>
    /// A command on a stored interview: an id that cannot exist is a 404 before the body is looked at (as
    /// for any missing interview); the status is checked before the body's values, so that a command the
    /// status forbids is a 409 whatever the body says.
    /// </summary>
    private async Task<IResult> ChangeAsync<TRequest>(
        HttpRequest request, CurrentUser user, string id, InterviewCommand command, CancellationToken cancellationToken, int maxBodyBytes = JsonBody.MaxBytes)
        where TRequest : class, IInterviewCommandRequest
    {
        if (!Guid.TryParse(id, out var interviewId))
        {
            return Problems.From(Interview.NotFound);
        }

        var key = command is InterviewCommand.RecordThankYouNote or InterviewCommand.RecordOutcome ? IdempotencyKey.From(request) : new Result<IdempotencyKey?>();
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
        var repeat = await idempotency.BeginAsync(user, $"{request.Method.ToUpperInvariant()} /interviews/{interviewId:D}/{command}", key.Value, body.Value!, cancellationToken);
        if (repeat.Answer is { } answer)
        {
            return answer;
        }

        var change = await commands.RunAsync(
            user.Id,
            interviewId,
            IfMatch.From(request),
            (interview, now) => interview.Refusal(command) ?? body.Value!.ApplyTo(interview, now),
            cancellationToken,
            answer => repeat.RecordOf(StatusCodes.Status200OK, answer.Response, null, answer.Interview));
        if (change.IsSuccess)
        {
            return new JsonResult<InterviewResponse>(change.Value.Response, StatusCodes.Status200OK, change.Value.ETag);
        }

        // A concurrent repeat may have won between our look-up and our load: then this one saw its change
        // (a thank-you note already recorded) or lost the record to it, and answers what the winner answered.
        return await repeat.WinnerAsync(cancellationToken)
            ?? Problems.From(change.Error!.Code == IdempotencyErrors.TakenCode ? InterviewErrors.Contention : change.Error);
    }

    private async Task<IResult> PageAsync(CurrentUser user, InterviewQuery query, CancellationToken cancellationToken)
    {
        var page = await store.ListItemsAsync(user.Id, query, cancellationToken);
        return new ListPageResult(page.Items, Cursors.Encode(page.Next?.OrderValue, page.Next?.Id));
    }
}

/// <summary>
/// Another feature's document that belongs in the same atomic write as a newly scheduled interview (in
/// the user's partition): saved with the interview or not at all.
/// </summary>
public interface IScheduleCompanion
{
    /// <summary>The write to add, read afresh for this attempt; null when there is nothing to write.</summary>
    Task<DocumentWrite?> WriteWithAsync(CurrentUser user, CancellationToken cancellationToken);
}

/// <summary>The writes of every <see cref="IScheduleCompanion"/>, for each attempt to save a new interview.</summary>
public static class ScheduleCompanions
{
    public static async Task<IReadOnlyList<DocumentWrite>> WritesAsync(this IEnumerable<IScheduleCompanion> companions, CurrentUser user, CancellationToken cancellationToken)
    {
        var writes = new List<DocumentWrite>();
        foreach (var companion in companions)
        {
            if (await companion.WriteWithAsync(user, cancellationToken) is { } write)
            {
                writes.Add(write);
            }
        }

        return writes;
    }
}
