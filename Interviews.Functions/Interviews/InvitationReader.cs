using System.Text.RegularExpressions;
using Interviews.Domain;

namespace Interviews.Functions.Interviews;

/// <summary>
/// What an invitation says about the interview, read from its one VEVENT: whether it cancels, its UID
/// and SEQUENCE, and (unless it cancels) the start, zone, duration, location or video link,
/// interviewers and the type its content suggests. The rules are in docs/import.md.
/// </summary>
public sealed record ImportedInvitation(
    bool Cancels,
    Invitation Invitation,
    DateTimeOffset Start,
    IanaTimeZone? Zone,
    int Duration,
    string DurationField,
    string? Location,
    IReadOnlyList<string> Interviewers,
    InterviewType? InferredType);

/// <summary>
/// Reads an iCalendar invitation (RFC 5545, iTIP methods of RFC 5546) into an <see cref="ImportedInvitation"/>.
/// Every problem is a validation error keyed by the iCalendar property at fault (<c>DTSTART</c>, <c>RRULE</c>,
/// <c>VEVENT</c>, <c>METHOD</c>…), or <c>body</c> for text that is not iCalendar at all.
/// </summary>
public static partial class InvitationReader
{
    /// <summary>The properties providers put a meeting's join link in, in the order they are trusted.</summary>
    private static readonly string[] ConferenceProperties =
        ["X-GOOGLE-CONFERENCE", "CONFERENCE", "X-MICROSOFT-ONLINEMEETINGURL", "X-MICROSOFT-SKYPETEAMSMEETINGURL", "URL"];

    /// <summary>
    /// Reads <paramref name="text"/>. <paramref name="userEmail"/> is the caller's address (their own
    /// ATTENDEE line is not an interviewer); <paramref name="zone"/>, the <c>timezone</c> parameter, reads
    /// floating times and TZIDs this service does not know.
    /// </summary>
    public static Result<ImportedInvitation> Read(string text, string? userEmail, IanaTimeZone? zone)
    {
        var calendars = CalendarText.Read(text);
        if (!calendars.IsSuccess)
        {
            return calendars.Error!;
        }

        var errors = new ValidationErrors();
        var events = calendars.Value.SelectMany(c => c.Children("VEVENT").Select(e => (Calendar: c, Event: e))).ToList();
        if (events.Count == 0)
        {
            return Error.Validation("VEVENT", "The calendar has no event (VEVENT) to import.");
        }

        if (events.Count > 1)
        {
            return Error.Validation("VEVENT", $"The calendar has {events.Count} events (VEVENT); an invitation to import holds exactly one.");
        }

        var (calendar, vevent) = events[0];
        var method = calendar.Property("METHOD")?.Value.Trim().ToUpperInvariant();
        if (method is not (null or "PUBLISH" or "REQUEST" or "CANCEL"))
        {
            errors.Add("METHOD", $"METHOD:{Shorten(method)} is not an invitation; import a REQUEST, PUBLISH or CANCEL.");
        }

        foreach (var recurrence in new[] { "RRULE", "RDATE", "EXRULE", "RECURRENCE-ID" })
        {
            if (vevent.Property(recurrence) is not null)
            {
                errors.Add(recurrence, recurrence == "RECURRENCE-ID"
                    ? "The event is one occurrence of a recurring event; only single events can be imported."
                    : "The event is recurring; only single events can be imported (an interview happens once).");
            }
        }

        var sequenceText = vevent.Property("SEQUENCE")?.Value.Trim();
        var sequence = 0;
        if (sequenceText is not null && !int.TryParse(sequenceText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence))
        {
            errors.Add("SEQUENCE", "The SEQUENCE must be a non-negative integer.");
        }

        var invitation = Invitation.Create(vevent.Property("UID")?.Text.Trim(), sequence);
        errors.AddFrom(invitation.Error);
        var cancels = method == "CANCEL" || vevent.Property("STATUS")?.Value.Trim().Equals("CANCELLED", StringComparison.OrdinalIgnoreCase) == true;
        if (cancels)
        {
            // A cancellation names the event by UID and SEQUENCE; its times and people do not matter.
            return errors.Any ? errors.ToError() : new ImportedInvitation(true, invitation.Value, default, null, 0, "", null, [], null);
        }

        var fallbackZone = zone ?? FromCalendarName(calendar);
        var start = ReadTime(vevent.Property("DTSTART"), "DTSTART", calendar, fallbackZone, errors, required: true);
        var (duration, durationField) = ReadDuration(vevent, start, calendar, fallbackZone, errors);
        if (errors.Any)
        {
            return errors.ToError();
        }

        var place = OneLine(vevent.Property("LOCATION")?.Text);
        var description = vevent.Property("DESCRIPTION")?.Text;
        var summary = vevent.Property("SUMMARY")?.Text;
        var video = ConferenceProperties.Select(p => VideoLinks.Find(vevent.Property(p)?.Text)).FirstOrDefault(v => v is not null)
            ?? VideoLinks.Find(place)
            ?? VideoLinks.Find(description);
        return new ImportedInvitation(
            false,
            invitation.Value,
            start!.Value.Instant,
            start.Value.Zone ?? fallbackZone ?? IanaTimeZone.Create("UTC").Value,
            duration,
            durationField,
            LocationOf(place, video),
            Interviewers(vevent, userEmail),
            InferType(place, video, summary, description, vevent));
    }

    private readonly record struct EventTime(DateTimeOffset Instant, IanaTimeZone? Zone);

    /// <summary>
    /// A DTSTART or DTEND: UTC (<c>Z</c>), in a TZID (IANA, Windows, or its VTIMEZONE's X-LIC-LOCATION),
    /// or floating (read in <paramref name="fallbackZone"/>). A date without a time is an all-day event.
    /// </summary>
    private static EventTime? ReadTime(CalendarProperty? property, string field, CalendarComponent calendar, IanaTimeZone? fallbackZone, ValidationErrors errors, bool required)
    {
        if (property is null)
        {
            if (required)
            {
                errors.Add(field, $"The event has no {field}.");
            }

            return null;
        }

        var value = property.Value.Trim();
        if (property.Parameter("VALUE")?.Equals("DATE", StringComparison.OrdinalIgnoreCase) == true || CalendarText.IsDate(value))
        {
            errors.Add(field, "The event is an all-day event (a date without a time); an interview needs a start time.");
            return null;
        }

        if (!CalendarText.TryParseDateTime(value, out var wallClock, out var utc))
        {
            errors.Add(field, $"{field} is not an iCalendar date-time (20260105T140000, 20260105T220000Z).");
            return null;
        }

        if (utc)
        {
            return new EventTime(new DateTimeOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), TimeSpan.Zero), null);
        }

        var zone = fallbackZone;
        if (property.Parameter("TZID") is { } tzid)
        {
            var known = ResolveZone(tzid, calendar);
            if (known is null && fallbackZone is null)
            {
                errors.Add("TZID", $"The time zone '{Shorten(tzid)}' is unknown (neither an IANA nor a Windows zone id, nor a VTIMEZONE with X-LIC-LOCATION); give the timezone parameter to read the time in.");
                return null;
            }

            zone = known ?? fallbackZone;
        }
        else if (zone is null)
        {
            errors.Add(field, "The time is floating (no TZID and no Z), so the invitation does not say where it is; give the timezone parameter (an IANA zone id) to read it in.");
            return null;
        }

        return new EventTime(InZone(wallClock, zone!.Zone), zone);
    }

    /// <summary>
    /// A wall-clock time in a zone as RFC 5545 §3.3.5 reads it: a time skipped by a daylight-saving gap
    /// takes the offset before the gap; a time repeated when the clocks go back is its first occurrence.
    /// </summary>
    private static DateTimeOffset InZone(DateTime wallClock, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
        {
            offset = zone.GetUtcOffset(local.AddHours(-3));
        }
        else if (zone.IsAmbiguousTime(local))
        {
            offset = zone.GetAmbiguousTimeOffsets(local).Max();
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }

        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static (int Minutes, string Field) ReadDuration(CalendarComponent vevent, EventTime? start, CalendarComponent calendar, IanaTimeZone? fallbackZone, ValidationErrors errors)
    {
        var endProperty = vevent.Property("DTEND");
        var durationProperty = vevent.Property("DURATION");
        if (endProperty is not null && durationProperty is not null)
        {
            errors.Add("DURATION", "The event has both DTEND and DURATION; RFC 5545 allows one.");
            return (0, "DURATION");
        }

        TimeSpan length;
        string field;
        if (durationProperty is not null)
        {
            field = "DURATION";
            if (!CalendarText.TryParseDuration(durationProperty.Value, out length))
            {
                errors.Add(field, "DURATION is not an iCalendar duration (PT45M, PT1H30M).");
                return (0, field);
            }
        }
        else if (endProperty is not null)
        {
            field = "DTEND";
            var end = ReadTime(endProperty, field, calendar, start?.Zone ?? fallbackZone, errors, required: true);
            if (end is null || start is null)
            {
                return (0, field);
            }

            length = end.Value.Instant - start.Value.Instant;
        }
        else
        {
            errors.Add("DTEND", "The event has no end (DTEND or DURATION), so its length is unknown.");
            return (0, "DTEND");
        }

        var minutes = Math.Round(length.TotalMinutes);
        if (minutes is < InterviewLimits.MinDuration or > InterviewLimits.MaxDuration)
        {
            errors.Add(field, $"The event lasts {(minutes < 0 ? "less than nothing" : $"{minutes} minutes")}; an interview lasts {InterviewLimits.MinDuration}–{InterviewLimits.MaxDuration} minutes.");
            return (0, field);
        }

        return ((int)minutes, field);
    }

    /// <summary>
    /// A TZID as an IANA zone: an IANA id itself, a Windows id (Outlook and Exchange), the IANA id at the
    /// end of a prefixed id (<c>/mozilla.org/20070129_1/Europe/Paris</c>), or its VTIMEZONE's X-LIC-LOCATION.
    /// Only the id is used, never the VTIMEZONE's own rules: this machine's tz database knows them better.
    /// </summary>
    public static IanaTimeZone? ResolveZone(string tzid, CalendarComponent? calendar)
    {
        tzid = tzid.Trim();
        if (tzid.Length is 0 or > 200)
        {
            return null;
        }

        if (Iana(tzid) is { } iana)
        {
            return iana;
        }

        if (TimeZoneInfo.TryConvertWindowsIdToIanaId(tzid, out var fromWindows) && Iana(fromWindows) is { } windows)
        {
            return windows;
        }

        var segments = tzid.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var take = Math.Min(3, segments.Length - 1); take >= 1; take--)
        {
            if (Iana(string.Join('/', segments[^take..])) is { } suffix)
            {
                return suffix;
            }
        }

        var definition = calendar?.Children("VTIMEZONE").FirstOrDefault(z => z.Property("TZID")?.Value.Trim() == tzid);
        return definition?.Property("X-LIC-LOCATION")?.Value.Trim() is { } location ? Iana(location) : null;

        static IanaTimeZone? Iana(string id) => IanaTimeZone.Create(id) is { IsSuccess: true } zone ? zone.Value : null;
    }

    /// <summary>Google Calendar names the calendar's zone in X-WR-TIMEZONE: the zone for UTC and floating times when no parameter says.</summary>
    private static IanaTimeZone? FromCalendarName(CalendarComponent calendar) =>
        calendar.Property("X-WR-TIMEZONE")?.Value is { } name ? ResolveZone(name, calendar) : null;

    /// <summary>
    /// The place, and the video link when the place does not already carry it. Over the location's 500
    /// characters, the link alone, or the place cut short.
    /// </summary>
    private static string? LocationOf(string? place, VideoLink? video)
    {
        var location = video is null || VideoLinks.Find(place) is not null ? place
            : place is null ? video.Url
            : $"{place} — {video.Url}";
        if (location is null || location.Length <= InterviewLimits.MaxLocation)
        {
            return location;
        }

        return video is not null && video.Url.Length <= InterviewLimits.MaxLocation ? video.Url : location[..(InterviewLimits.MaxLocation - 1)] + "…";
    }

    /// <summary>
    /// The organizer, then the attendees, by common name (CN) only, never by address: one whose CN is an
    /// address (Google writes the address when it has no name) or who has none is left out, and so is
    /// the caller (their address is the token's) and any room or resource. The first 20 distinct names.
    /// </summary>
    private static List<string> Interviewers(CalendarComponent vevent, string? userEmail)
    {
        var names = new List<string>();
        foreach (var person in vevent.All("ORGANIZER").Concat(vevent.All("ATTENDEE")))
        {
            var cutype = person.Parameter("CUTYPE")?.ToUpperInvariant();
            if (cutype is "ROOM" or "RESOURCE")
            {
                continue;
            }

            if (userEmail is not null && (AddressOf(person.Value).Equals(userEmail.Trim(), StringComparison.OrdinalIgnoreCase)
                || person.Parameter("EMAIL")?.Trim().Equals(userEmail.Trim(), StringComparison.OrdinalIgnoreCase) == true))
            {
                continue;
            }

            var name = OneLine(person.Parameter("CN"));
            if (name is null || name.Contains('@', StringComparison.Ordinal) || name.Length > InterviewLimits.MaxInterviewerName
                || names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            names.Add(name);
            if (names.Count == InterviewLimits.MaxInterviewers)
            {
                break;
            }
        }

        return names;
    }

    private static string AddressOf(string calAddress)
    {
        var value = calAddress.Trim();
        return value.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : value;
    }

    /// <summary>
    /// The type the invitation suggests: a video link (or a place that names an online meeting) is Video;
    /// a phone number as the place, a <c>tel:</c> link or "phone" in the title or place is PhoneScreen; any
    /// other place is InPerson; "phone" in the description alone is PhoneScreen; otherwise it cannot tell.
    /// </summary>
    private static InterviewType? InferType(string? place, VideoLink? video, string? summary, string? description, CalendarComponent vevent)
    {
        if (video is not null || (place is not null && OnlineLabel().IsMatch(place)))
        {
            return InterviewType.Video;
        }

        var tel = vevent.Properties.Any(p => p.Value.Contains("tel:", StringComparison.OrdinalIgnoreCase));
        if (tel || (place is { Length: <= 40 } && PhoneNumber().IsMatch(place)) || PhoneWord().IsMatch(place ?? "") || PhoneWord().IsMatch(summary ?? ""))
        {
            return InterviewType.PhoneScreen;
        }

        if (place is not null && !Uri.TryCreate(place, UriKind.Absolute, out _))
        {
            return InterviewType.InPerson;
        }

        return PhoneWord().IsMatch(description ?? "") ? InterviewType.PhoneScreen : null;
    }

    private static string? OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var lines = text.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? null : string.Join(", ", lines);
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"\b(tele)?phone\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PhoneWord();

    /// <summary>A place that is only a phone number: an optional +, then at least 7 digits with spaces, dots, dashes or brackets.</summary>
    [GeneratedRegex(@"^\+?(?:[\s().-]*\d){7,15}[\s().-]*(?:(?:ext\.?|x)\s*\d{1,6})?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"\b(zoom|microsoft teams|teams meeting|google meet|webex|online|virtual|video call)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OnlineLabel();
}
