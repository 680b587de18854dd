using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Interviews.Domain;

namespace Interviews.Functions.Calendar;

/// <summary>
/// An interview as an RFC 5545 event: a UID that never changes, SEQUENCE from the interview's
/// version (it grows with every change, so a move or a cancellation always carries a higher one than
/// anything sent before), STATUS:CANCELLED for a cancelled interview, times in UTC (so no VTIMEZONE is
/// needed; calendars show them in the reader's zone), no alarms. Interviewers are named in the
/// description, never as attendees.
/// </summary>
public static class InterviewIcs
{
    public const string ContentType = "text/calendar";

    /// <summary>
    /// How often a subscribed calendar should fetch the feed again (REFRESH-INTERVAL, RFC 7986, and
    /// Outlook's X-PUBLISHED-TTL): an hour, so a moved interview shows the same morning. Clients poll
    /// on their own schedule anyway (Google about twice a day), and a shorter interval would only
    /// multiply the feed's reads.
    /// </summary>
    public static readonly TimeSpan FeedRefreshInterval = TimeSpan.FromHours(1);

    /// <summary>The iTIP method (RFC 5546) of an e-mailed invitation: CANCEL for a cancelled interview, REQUEST for any other (new, moved or changed).</summary>
    public static string MethodOf(Interview interview) => interview.Status == InterviewStatus.Cancelled ? "CANCEL" : "REQUEST";

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

    /// <summary>
    /// The interview as an iTIP message (RFC 5546) e-mailed to the candidate: METHOD REQUEST, or CANCEL
    /// once cancelled (with STATUS:CANCELLED), the same UID and a higher SEQUENCE each time. iTIP needs an
    /// organizer and the attendee it goes to: the service's sender address, and the candidate, already
    /// accepted and asked for no reply.
    /// </summary>
    public static (string Method, string Content) Invitation(Interview interview, DateTimeOffset stamp, string organizer, string attendee)
    {
        var calendarEvent = Event(interview, stamp);
        calendarEvent.Organizer = new Organizer("mailto:" + organizer);
        calendarEvent.Attendees.Add(new Attendee("mailto:" + attendee) { ParticipationStatus = "ACCEPTED", Rsvp = false, Role = "REQ-PARTICIPANT" });
        var method = MethodOf(interview);
        return (method, Serialize([calendarEvent], method));
    }

    /// <summary>A VCALENDAR with the given events, serialised; a named one is a subscribed feed and says how often to fetch it again.</summary>
    public static string Serialize(IEnumerable<CalendarEvent> events, string method = "PUBLISH", string? name = null)
    {
        var calendar = new Ical.Net.Calendar { Method = method, ProductId = "-//Interviews//Interviews backend//EN" };
        if (name is not null)
        {
            calendar.AddProperty("X-WR-CALNAME", name);
            var interval = System.Xml.XmlConvert.ToString(FeedRefreshInterval);
            var refresh = new CalendarProperty("REFRESH-INTERVAL", interval);
            refresh.AddParameter("VALUE", "DURATION");
            calendar.AddProperty(refresh);
            calendar.AddProperty("X-PUBLISHED-TTL", interval);
        }

        calendar.Events.AddRange(events);
        return new CalendarSerializer().SerializeToString(calendar)!;
    }
}

/// <summary>What other features put in a calendar file: the one-event .ics of an interview that an e-mail attaches.</summary>
public interface ICalendarFiles
{
    /// <summary>
    /// The interview as an iTIP message from <paramref name="organizer"/> (the sender address) to
    /// <paramref name="attendee"/> (the candidate), stamped <paramref name="stamp"/>: its method (REQUEST,
    /// or CANCEL once cancelled), which the e-mail's Content-Type must repeat, and the file.
    /// </summary>
    (string Method, string Content) ForInterview(Interview interview, DateTimeOffset stamp, string organizer, string attendee);
}

/// <summary>Calendar files written by <see cref="InterviewIcs"/>.</summary>
public sealed class InterviewCalendarFiles : ICalendarFiles
{
    public (string Method, string Content) ForInterview(Interview interview, DateTimeOffset stamp, string organizer, string attendee) =>
        InterviewIcs.Invitation(interview, stamp, organizer, attendee);
}
