using System.Globalization;
using System.Text.RegularExpressions;
using Interviews.Domain;

namespace Interviews.Functions.Http;

/// <summary>
/// Reads the date-times clients send. An instant with a UTC offset ("2026-01-05T14:00:00Z",
/// "…+01:00") is taken as is. A local date-time without an offset ("2026-01-05T14:00") is read as
/// wall-clock time in the interview's timezone; a wall-clock time that does not exist there (a DST gap)
/// or exists twice (a DST overlap) is refused, since guessing would move the interview by an hour.
/// </summary>
public static partial class Instants
{
    public static bool TryParseWithOffset(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null
            && WithOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>Parses <paramref name="text"/> for <paramref name="field"/>; <paramref name="zone"/> reads local times (null: none known).</summary>
    public static Result<DateTimeOffset> Parse(string? text, string field, IanaTimeZone? zone)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Error.Validation(field, "A date-time is required (RFC 3339, e.g. 2026-01-05T14:00:00Z).");
        }

        if (TryParseWithOffset(text, out var instant))
        {
            return instant.ToUniversalTime();
        }

        if (!WithoutOffset().IsMatch(text)
            || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return Error.Validation(field, "Not a valid date-time; use RFC 3339, e.g. 2026-01-05T14:00:00Z or 2026-01-05T14:00:00-08:00.");
        }

        if (zone is null)
        {
            return Error.Validation(field, "A date-time without a UTC offset needs a valid timezone to be read in.");
        }

        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.Zone.IsInvalidTime(local))
        {
            return Error.Validation(field, $"{text} does not exist in {zone.Id} (the clocks skip it for daylight saving time); give a UTC offset or another time.");
        }

        if (zone.Zone.IsAmbiguousTime(local))
        {
            return Error.Validation(field, $"{text} happens twice in {zone.Id} (the clocks go back); give a UTC offset to say which.");
        }

        return new DateTimeOffset(local, zone.Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>An optional date-time: null when <paramref name="text"/> is null, else <see cref="Parse"/>'s value, or null with its error added to <paramref name="errors"/>.</summary>
    public static DateTimeOffset? ParseOptional(string? text, string field, IanaTimeZone? zone, ValidationErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        var parsed = Parse(text, field, zone);
        errors.AddFrom(parsed.Error);
        return parsed.IsSuccess ? parsed.Value : null;
    }

    /// <summary>A date only ("2026-01-05"), for filters.</summary>
    public static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex WithOffset();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")]
    private static partial Regex WithoutOffset();
}
