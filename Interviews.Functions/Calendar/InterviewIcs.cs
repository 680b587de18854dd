using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Interviews.Domain;

namespace Interviews.Functions.Calendar;

/// <summary>
/// An interview as an RFC 5545 event: a UID that never changes, SEQUENCE from the interview's
/// version (it grows with every change), STATUS:CANCELLED for a cancelled interview, times in UTC
/// (so no VTIMEZONE is needed; calendars show them in the reader's zone), no alarms.
/// </summary>
public static class InterviewIcs
{
    public const string ContentType = "text/calendar";

    public static string Uid(Guid interviewId) => $"{interviewId:D}@interviews";

    public static CalendarEvent Event(Interview interview, DateTimeOffset stamp)
    {
        var description = new List<string> { $"{Describe(interview.InterviewType)} interview" };
        if (interview.Interviewers.Count > 0)
        {
            description.Add("Interviewers: " + string.Join(", ", interview.Interviewers));
        }

        description.Add($"Time zone: {interview.Timezone.Id}");
        return new CalendarEvent
        {
            Uid = Uid(interview.Id),
            Sequence = interview.Version,
            Summary = $"{Describe(interview.InterviewType)} interview",
            DtStart = new CalDateTime(interview.ScheduledAt.UtcDateTime, "UTC"),
            DtEnd = new CalDateTime(interview.ScheduledAt.AddMinutes(interview.Duration).UtcDateTime, "UTC"),
            DtStamp = new CalDateTime(stamp.UtcDateTime, "UTC"),
            Location = interview.Location,
            Description = string.Join("\n", description),
            Status = interview.Status == InterviewStatus.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed,
            Transparency = TransparencyType.Opaque,
        };
    }

    /// <summary>A VCALENDAR with the given events, serialised.</summary>
    public static string Serialize(IEnumerable<CalendarEvent> events, string method = "PUBLISH")
    {
        var calendar = new Ical.Net.Calendar { Method = method, ProductId = "-//Interviews//Interviews backend//EN" };
        calendar.Events.AddRange(events);
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    public static string Describe(InterviewType type) => type switch
    {
        InterviewType.PhoneScreen => "Phone screen",
        InterviewType.InPerson => "In-person",
        _ => type.ToString(),
    };
}
