using System.Security.Cryptography;
using System.Text;
using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Interviews;

/// <summary>
/// <c>POST /interviews/import</c>: an interview from a calendar invitation, sent as iCalendar
/// (<c>text/calendar</c>) or as the whole e-mail (<c>message/rfc822</c>). A new UID schedules an
/// interview (201); a later revision of one already imported (a higher SEQUENCE) moves and updates it,
/// a CANCEL cancels it, and a revision already seen changes nothing (200 with the interview). The
/// mapping rules are <see cref="InvitationReader"/>'s; the verbs and their rules the aggregate's.
/// </summary>
public sealed class InvitationImportApi(
    InterviewStore store,
    InterviewCommands commands,
    Idempotency idempotency,
    ConflictFinder conflicts,
    DebriefQuestions debrief,
    InvitationLinks links,
    IEnumerable<IScheduleCompanion> scheduleCompanions,
    TimeProvider time)
{
    /// <summary>
    /// An invitation e-mail carries an HTML body, a plain-text one and the calendar twice (inline and
    /// attached), often with a logo: a few hundred KB. 1 MB leaves room and still bounds the work.
    /// </summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public const string CalendarMediaType = "text/calendar";
    public const string MessageMediaType = "message/rfc822";

    private const string Endpoint = "POST /interviews/import";

    /// <summary>How many times an import is tried when a concurrent import of the same new invitation, or a companion document, changed under it.</summary>
    private const int MaxAttempts = 5;

    [Function("ImportInterview")]
    public async Task<IResult> Import(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "interviews/import")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        var key = IdempotencyKey.From(request);
        if (!key.IsSuccess)
        {
            return Problems.From(key.Error!);
        }

        var mediaType = request.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (mediaType is not (CalendarMediaType or MessageMediaType))
        {
            return Problems.Status(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the invitation as text/calendar (the .ics) or message/rfc822 (the whole e-mail).");
        }

        var body = await JsonBody.ReadBytesAsync(request, MaxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var bytes = body.Value!.WrittenSpan.ToArray();
        var query = ImportQuery.Parse(request.Query);
        var errors = new ValidationErrors();
        errors.AddFrom(query.Errors);
        ImportedInvitation? invitation = null;
        var text = mediaType == CalendarMediaType ? CalendarText.DecodeUtf8(bytes) : InvitationMail.CalendarOf(bytes);
        if (text.IsSuccess)
        {
            var read = InvitationReader.Read(text.Value, user.Email, query.Zone);
            errors.AddFrom(read.Error);
            invitation = read.IsSuccess ? read.Value : null;
        }
        else
        {
            errors.AddFrom(text.Error);
        }

        if (errors.Any || invitation is null)
        {
            return Problems.From(errors.ToError());
        }

        var fingerprint = new ImportFingerprint(query.ApplicationId, query.InterviewTypeText, query.Zone?.Id, mediaType, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        var repeat = await idempotency.BeginAsync(user, Endpoint, key.Value, fingerprint, cancellationToken);
        if (repeat.Answer is { } answer)
        {
            return answer;
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var link = await links.FindAsync(user.Id, invitation.Invitation.Uid, cancellationToken);
            var imported = link is null ? null : await store.GetAsync(user.Id, link.Value.InterviewId, cancellationToken);
            var outcome = imported is null
                ? await CreateAsync(request, user, invitation, query, link?.ETag, repeat, cancellationToken)
                : await ApplyAsync(request, user, invitation, query, link!.Value.InterviewId, repeat, cancellationToken);
            if (outcome is not null)
            {
                return outcome;
            }
        }

        return Problems.From(InterviewErrors.Contention);
    }

    /// <summary>A new interview for an invitation never imported (or whose interview is gone); null when the write lost a race and the import should look again.</summary>
    private async Task<IResult?> CreateAsync(
        HttpRequest request, CurrentUser user, ImportedInvitation invitation, ImportQuery query, string? staleLink, IdempotentRequest repeat, CancellationToken cancellationToken)
    {
        if (invitation.Cancels)
        {
            return Problems.From(Error.NotFound("No interview was imported from this invitation (its UID), so there is nothing to cancel."));
        }

        if (IfMatch.From(request).Present)
        {
            // If-Match names a version of an interview, and there is none yet.
            return Problems.From(InterviewErrors.PreconditionFailed);
        }

        if ((query.InterviewType ?? invitation.InferredType) is not { } type)
        {
            return Problems.From(Error.Validation("interviewType", $"The invitation does not say what kind of interview it is (no video link, phone number or place); give interviewType, one of {InterviewTypes.AllowedValues}."));
        }

        var details = DetailsOf(invitation, query, type);
        if (!details.IsSuccess)
        {
            return Problems.From(InInvitationTerms(details.Error!, invitation));
        }

        var now = time.GetUtcNow();
        var scheduled = Interview.Schedule(Guid.CreateVersion7(now), user.Id, details.Value, invitation.Start, now, invitation.Invitation);
        if (!scheduled.IsSuccess)
        {
            return Problems.From(InInvitationTerms(scheduled.Error!, invitation));
        }

        var interview = scheduled.Value;
        var response = InterviewResponse.From(interview, await conflicts.FindAsync(interview, cancellationToken), await debrief.FindAsync(interview, cancellationToken));
        var location = $"/api/interviews/{interview.Id:D}";
        var writes = new List<DocumentWrite>(repeat.RecordOf(StatusCodes.Status201Created, response, location, interview))
        {
            links.Write(invitation.Invitation.Uid, interview.Id, staleLink),
        };
        writes.AddRange(await scheduleCompanions.WritesAsync(user, cancellationToken));

        var saved = await store.SaveAsync(interview, null, writes, cancellationToken);
        if (saved.Saved)
        {
            return new JsonResult<InterviewResponse>(response, StatusCodes.Status201Created, saved.ETag, location);
        }

        // A concurrent repeat with the same key won: answer what it answered. Otherwise a concurrent import
        // of the same invitation took its link (the next look finds it), or a companion changed.
        return await repeat.WinnerAsync(cancellationToken);
    }

    /// <summary>A revision of an invitation already imported, applied to its interview; null when the link turned out stale.</summary>
    private async Task<IResult?> ApplyAsync(
        HttpRequest request, CurrentUser user, ImportedInvitation invitation, ImportQuery query, Guid interviewId, IdempotentRequest repeat, CancellationToken cancellationToken)
    {
        var change = await commands.RunAsync(
            user.Id,
            interviewId,
            IfMatch.From(request),
            (interview, now) => Revise(interview, invitation, query, now),
            cancellationToken,
            answer => repeat.RecordOf(StatusCodes.Status200OK, answer.Response, null, answer.Interview));
        if (change.IsSuccess)
        {
            return new JsonResult<InterviewResponse>(change.Value.Response, StatusCodes.Status200OK, change.Value.ETag);
        }

        return await repeat.WinnerAsync(cancellationToken)
            ?? Problems.From(change.Error!.Code == IdempotencyErrors.TakenCode ? InterviewErrors.Contention : InInvitationTerms(change.Error, invitation));
    }

    /// <summary>
    /// The revision applied to its interview. The type stays the interview's unless the parameter gives one:
    /// the candidate may have set it (by the parameter, or an update) where the invitation only suggests one.
    /// </summary>
    private static Result Revise(Interview interview, ImportedInvitation invitation, ImportQuery query, DateTimeOffset now)
    {
        if (interview.Invitation?.Uid != invitation.Invitation.Uid)
        {
            // The link names an interview of another invitation: a broken link, answered as not found.
            return Interview.NotFound;
        }

        if (invitation.Cancels)
        {
            return interview.CancelFromInvitation(invitation.Invitation, now);
        }

        var details = DetailsOf(invitation, query, query.InterviewType ?? interview.InterviewType);
        return details.IsSuccess ? interview.ApplyInvitation(invitation.Invitation, details.Value, invitation.Start, now) : details.Error!;
    }

    private static Result<InterviewDetails> DetailsOf(ImportedInvitation invitation, ImportQuery query, InterviewType type) =>
        InterviewDetails.Create(query.ApplicationId, type.ToString(), invitation.Duration, invitation.Location, [.. invitation.Interviewers], invitation.Zone!.Id);

    /// <summary>The aggregate's errors named by what the invitation wrote: its rules about the start speak of DTSTART, not scheduledAt.</summary>
    private static Error InInvitationTerms(Error error, ImportedInvitation invitation)
    {
        if (error.Fields is null)
        {
            return error;
        }

        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in error.Fields)
        {
            var name = field switch
            {
                "scheduledAt" or "newDateTime" => "DTSTART",
                "duration" => invitation.DurationField,
                "location" => "LOCATION",
                "timezone" => "TZID",
                _ when field.StartsWith("interviewers", StringComparison.Ordinal) => "ATTENDEE",
                _ => field,
            };
            fields[name] = fields.TryGetValue(name, out var earlier) ? [.. earlier, .. messages] : messages;
        }

        return error with { Fields = fields };
    }
}

/// <summary>The import's query parameters: <c>applicationId</c> (required), <c>interviewType</c> and <c>timezone</c> (optional).</summary>
internal sealed record ImportQuery(Guid? ApplicationId, InterviewType? InterviewType, string? InterviewTypeText, IanaTimeZone? Zone, Error? Errors)
{
    public static ImportQuery Parse(IQueryCollection query)
    {
        var errors = new ValidationErrors();
        Guid? applicationId = null;
        var application = QueryParameters.Single(query, "applicationId", errors);
        if (application is null)
        {
            if (!errors.Any)
            {
                errors.Add("applicationId", "The application id is required: an interview must be linked to an application.");
            }
        }
        else if (!Guid.TryParse(application, out var id) || id == Guid.Empty)
        {
            errors.Add("applicationId", "The application id must be a GUID, not the empty one.");
        }
        else
        {
            applicationId = id;
        }

        InterviewType? type = null;
        var typeText = QueryParameters.Single(query, "interviewType", errors);
        if (typeText is not null)
        {
            if (InterviewTypes.TryParse(typeText, out var parsed))
            {
                type = parsed;
            }
            else
            {
                errors.Add("interviewType", $"Unknown interview type; use one of {InterviewTypes.AllowedValues}.");
            }
        }

        IanaTimeZone? zone = null;
        if (QueryParameters.Single(query, "timezone", errors) is { } zoneText)
        {
            var created = IanaTimeZone.Create(zoneText);
            errors.AddFrom(created.Error);
            zone = created.IsSuccess ? created.Value : null;
        }

        return new ImportQuery(applicationId, type, typeText, zone, errors.Any ? errors.ToError() : null);
    }
}

/// <summary>What makes two imports the same request for <c>Idempotency-Key</c>: the parameters and the body's hash.</summary>
internal sealed record ImportFingerprint(Guid? ApplicationId, string? InterviewType, string? Timezone, string MediaType, string BodySha256);
