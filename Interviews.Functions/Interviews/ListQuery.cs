using Interviews.Domain;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Http;

namespace Interviews.Functions.Interviews;

/// <summary>
/// Reads the list's query string: <c>status</c>, <c>applicationId</c>, <c>interviewType</c>, <c>outcome</c>,
/// <c>dateFrom</c> and <c>dateTo</c> (both inclusive: an instant with an offset, or a UTC date, where
/// <c>dateTo=2026-01-31</c> includes that whole day), <c>limit</c> and <c>cursor</c>. Every bad value is
/// reported by its parameter name; unknown parameters are ignored.
/// </summary>
public static class ListQuery
{
    public static Result<InterviewQuery> Parse(IQueryCollection query, int defaultLimit, int maxLimit)
    {
        var errors = new ValidationErrors();
        var paging = ParsePaging(query, defaultLimit, maxLimit);
        errors.AddFrom(paging.Error);

        InterviewStatus[]? statuses = null;
        if (QueryParameters.Single(query, "status", errors) is { } statusText)
        {
            if (InterviewStatuses.TryParse(statusText, out var status))
            {
                statuses = [status];
            }
            else
            {
                errors.Add("status", $"Unknown status; use one of {InterviewStatuses.AllowedValues}.");
            }
        }

        Guid? applicationId = null;
        if (QueryParameters.Single(query, "applicationId", errors) is { } applicationText)
        {
            if (Guid.TryParseExact(applicationText, "D", out var parsed))
            {
                applicationId = parsed;
            }
            else
            {
                errors.Add("applicationId", "Not a GUID (00000000-0000-0000-0000-000000000000).");
            }
        }

        InterviewType? type = null;
        if (QueryParameters.Single(query, "interviewType", errors) is { } typeText)
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

        InterviewOutcome? outcome = null;
        if (QueryParameters.Single(query, "outcome", errors) is { } outcomeText)
        {
            if (InterviewOutcomes.TryParse(outcomeText, out var parsed))
            {
                outcome = parsed;
            }
            else
            {
                errors.Add("outcome", $"Unknown outcome; use one of {InterviewOutcomes.AllowedValues}.");
            }
        }

        var from = Bound(QueryParameters.Single(query, "dateFrom", errors), "dateFrom", endOfDay: false, errors);
        var to = Bound(QueryParameters.Single(query, "dateTo", errors), "dateTo", endOfDay: true, errors);
        if (from is not null && to is not null && from >= to)
        {
            errors.Add("dateTo", "dateTo must not be before dateFrom.");
        }

        if (errors.Any)
        {
            return errors.ToError();
        }

        return paging.Value with
        {
            Statuses = statuses,
            ApplicationId = applicationId,
            InterviewType = type,
            Outcome = outcome,
            ScheduledFrom = from,
            ScheduledBefore = to,
        };
    }

    /// <summary>Only <c>limit</c> (1 to <paramref name="maxLimit"/>) and <c>cursor</c>.</summary>
    public static Result<InterviewQuery> ParsePaging(IQueryCollection query, int defaultLimit, int maxLimit)
    {
        var errors = new ValidationErrors();
        var limit = defaultLimit;
        if (QueryParameters.Single(query, "limit", errors) is { } limitText
            && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > maxLimit))
        {
            errors.Add("limit", $"The limit must be a whole number from 1 to {maxLimit}.");
        }

        DocumentCursor? cursor = null;
        if (QueryParameters.Single(query, "cursor", errors) is { } cursorText)
        {
            if (Cursors.TryDecode(cursorText, out var position))
            {
                cursor = new DocumentCursor(position.OrderValue, position.Id);
            }
            else
            {
                errors.Add("cursor", "Not a cursor this API returned; start again without it.");
            }
        }

        return errors.Any ? errors.ToError() : new InterviewQuery(Limit: limit, After: cursor);
    }

    /// <summary>A lower bound, or the exclusive upper bound just after <paramref name="text"/>.</summary>
    private static DateTimeOffset? Bound(string? text, string name, bool endOfDay, ValidationErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (Instants.TryParseDate(text, out var date))
        {
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) : start;
        }

        if (Instants.TryParseWithOffset(text, out var instant))
        {
            return endOfDay ? instant.ToUniversalTime().AddTicks(1) : instant.ToUniversalTime();
        }

        errors.Add(name, "Use a date (2026-01-05) or an RFC 3339 date-time with an offset (2026-01-05T14:00:00Z).");
        return null;
    }
}
