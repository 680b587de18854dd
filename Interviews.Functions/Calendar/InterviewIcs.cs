using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Interviews.Domain;

namespace Interviews.Functions.Calendar;

/// <summary>
/// An interview as an RFC 5545 event: a UID that never changes, SEQUENCE from the interview's
/// version (it grows with every change), STATUS:CANCELLED for a cancelled interview, times in UTC
/// (so no VTIMEZONE is needed; calendars show them in the reader's zone), no alarms. Interviewers are
/// named in the description, never as attendees.
/// </summary>
public static class InterviewIcs
{
    public const string ContentType = "text/calendar";

    public static string Uid(Guid interviewId) => $"{interviewId:D}@interviews";

    /// <summary>"Video interview". The requirements carry no company or role for an interview, so the type is the title.</summary>
    public static string Title(Interview interview) => $"{InterviewTypes.Describe(interview.InterviewType)} interview";

    public static CalendarEvent Event(Interview interview, DateTimeOffset stamp)
    {
        var description = new List<string> { Title(interview) };
        if (interview.Interviewers.Count > 0)
        {
            description.Add("Interviewers: " + string.Join(", ", interview.Interviewers));
        }

        if (VideoLinks.Find(interview.Location) is { } video)
        {
            description.Add("Join: " + video.Url);
        }

        description.Add($"Time zone: {interview.Timezone.Id}");
        var calendarEvent = new CalendarEvent
        {
            Uid = Uid(interview.Id),
            Sequence = interview.Version,
            Summary = Title(interview),
            DtStart = new CalDateTime(interview.ScheduledAt.UtcDateTime, "UTC"),
            DtEnd = new CalDateTime(interview.ScheduledAt.AddMinutes(interview.Duration).UtcDateTime, "UTC"),
            DtStamp = new CalDateTime(stamp.UtcDateTime, "UTC"),
            LastModified = new CalDateTime(interview.UpdatedAt.UtcDateTime, "UTC"),
            Location = interview.Location,
            Description = string.Join("\n", description),
            Status = interview.Status == InterviewStatus.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed,
            Transparency = TransparencyType.Opaque,
        };
        if (VideoLinks.Find(interview.Location) is { } link)
        {
            calendarEvent.Url = new Uri(link.Url);
        }

        return calendarEvent;
    }

    /// <summary>A VCALENDAR with the given events, serialised.</summary>
    public static string Serialize(IEnumerable<CalendarEvent> events, string method = "PUBLISH", string? name = null)
    {
        var calendar = new Ical.Net.Calendar { Method = method, ProductId = "-//Interviews//Interviews backend//EN" };
        if (name is not null)
        {
            calendar.AddProperty("X-WR-CALNAME", name);
        }

        calendar.Events.AddRange(events);
        return new CalendarSerializer().SerializeToString(calendar)!;
    }
}

/// <summary>What other features put in a calendar file: the one-event .ics of an interview (the reminder e-mail attaches it).</summary>
public interface ICalendarFiles
{
    /// <summary>The interview as a calendar with one event, stamped <paramref name="stamp"/>.</summary>
    string ForInterview(Interview interview, DateTimeOffset stamp);
}

/// <summary>Calendar files written by <see cref="InterviewIcs"/>.</summary>
public sealed class InterviewCalendarFiles : ICalendarFiles
{
    public string ForInterview(Interview interview, DateTimeOffset stamp) => InterviewIcs.Serialize([InterviewIcs.Event(interview, stamp)]);
}
