using System.Text;
using Interviews.Domain;
using Interviews.Functions.Interviews;

namespace Interviews.Tests.Import;

/// <summary>The RFC 5545 reader and the mapping of an invitation's VEVENT, without a host.</summary>
public sealed class InvitationReaderTests
{
    private static readonly IanaTimeZone LosAngeles = IanaTimeZone.Create("America/Los_Angeles").Value;

    private static ImportedInvitation Read(string text, IanaTimeZone? zone = null)
    {
        var read = InvitationReader.Read(text, Invitations.CandidateEmail, zone);
        Assert.True(read.IsSuccess, string.Join("; ", read.Error?.Fields?.Select(f => $"{f.Key}: {string.Join(' ', f.Value)}") ?? []));
        return read.Value;
    }

    private static IReadOnlyDictionary<string, string[]> Errors(string text, IanaTimeZone? zone = null)
    {
        var read = InvitationReader.Read(text, Invitations.CandidateEmail, zone);
        Assert.False(read.IsSuccess);
        return read.Error!.Fields!;
    }

    [Fact]
    public void Folded_lines_are_unfolded_and_escaped_text_is_unescaped()
    {
        var calendars = CalendarText.Read("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDESCRIPTION:Line one\\nsemi\\; comma\\, back\\\\slash and a lo\r\n ng word\r\n\tcontinued\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        var description = calendars.Value[0].Components[0].Property("DESCRIPTION")!;
        Assert.Equal("Line one\nsemi; comma, back\\slash and a long wordcontinued", description.Text);
    }

    [Fact]
    public void Quoted_parameter_values_keep_their_colons_semicolons_and_commas_and_caret_escapes_are_decoded()
    {
        var calendars = CalendarText.Read("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;CN=\"Lee, Ana; PhD: Eng\";X-TITLE=\"Say ^'hi^'\";ROLE=REQ-PARTICIPANT:mailto:ana@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR");
        var attendee = calendars.Value[0].Components[0].Property("ATTENDEE")!;
        Assert.Equal("Lee, Ana; PhD: Eng", attendee.Parameter("cn"));
        Assert.Equal("Say \"hi\"", attendee.Parameter("X-TITLE"));
        Assert.Equal("mailto:ana@example.com", attendee.Value);
    }

    [Fact]
    public void A_character_split_across_a_fold_is_restored_from_the_bytes()
    {
        var name = Encoding.UTF8.GetBytes("李雷");
        var bytes = Encoding.UTF8.GetBytes("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nORGANIZER;CN=").Concat(name[..1]).Concat("\r\n "u8.ToArray()).Concat(name[1..])
            .Concat(Encoding.UTF8.GetBytes(":mailto:li@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")).ToArray();
        var text = CalendarText.DecodeUtf8(bytes);
        Assert.True(text.IsSuccess);
        Assert.Equal("李雷", CalendarText.Read(text.Value).Value[0].Components[0].Property("ORGANIZER")!.Parameter("CN"));
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_refused_naming_the_body()
    {
        Assert.Equal("body", Assert.Single(CalendarText.DecodeUtf8([0x42, 0xC3, 0x28, 0xFF]).Error!.Fields!).Key);
    }

    [Fact]
    public void Google_Calendar_invitation_gives_a_Meet_video_interview_in_New_York_with_named_interviewers_only()
    {
        var invitation = Read(Invitations.Text("google-meet-request.ics"));
        Assert.False(invitation.Cancels);
        Assert.Equal("7kukuqrfedlm2f9t0vh3mpr3ab@google.com", invitation.Invitation.Uid);
        Assert.Equal(0, invitation.Invitation.Sequence);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero), invitation.Start);
        Assert.Equal("America/New_York", invitation.Zone!.Id);
        Assert.Equal(45, invitation.Duration);
        Assert.Equal("https://meet.google.com/abc-defg-hij", invitation.Location);
        // The candidate, and the group whose CN is an address, are not interviewers; the organizer is named once.
        Assert.Equal(["Priya Raman", "José Müller", "Lee, Ana"], invitation.Interviewers);
        Assert.Equal(InterviewType.Video, invitation.InferredType);
    }

    [Fact]
    public void Exchange_invitation_with_a_Windows_zone_gives_a_Teams_interview_in_Los_Angeles_after_the_daylight_saving_change()
    {
        var invitation = Read(Invitations.Text("outlook-teams-request.ics"));
        Assert.Equal("America/Los_Angeles", invitation.Zone!.Id);
        // 14:00 Pacific on 12 March 2026 is daylight time (UTC-7): the zone's real rules, not a fixed offset.
        Assert.Equal(new DateTimeOffset(2026, 3, 12, 21, 0, 0, TimeSpan.Zero), invitation.Start);
        Assert.Equal(90, invitation.Duration);
        Assert.StartsWith("Microsoft Teams Meeting — https://teams.microsoft.com/l/meetup-join/", invitation.Location, StringComparison.Ordinal);
        Assert.Equal(["李雷", "Søren Kierkegaard-Øster"], invitation.Interviewers);
        Assert.Equal(InterviewType.Video, invitation.InferredType);
        Assert.StartsWith("040000008200E00074C5B7101A82E008", invitation.Invitation.Uid, StringComparison.Ordinal);
    }

    [Fact]
    public void Zoom_invitation_in_UTC_takes_the_zone_given_and_the_join_link_from_its_location()
    {
        var berlin = IanaTimeZone.Create("Europe/Berlin").Value;
        var invitation = Read(Invitations.Text("zoom-publish.ics"), berlin);
        Assert.Equal(new DateTimeOffset(2026, 3, 11, 16, 30, 0, TimeSpan.Zero), invitation.Start);
        Assert.Equal("Europe/Berlin", invitation.Zone!.Id);
        Assert.Equal(45, invitation.Duration);
        Assert.Equal("https://us02web.zoom.us/j/81234567890?pwd=bXlQaXp6dWx0Y1BhY0E5Zz09", invitation.Location);
        Assert.Equal(["Sam O'Neil"], invitation.Interviewers);
        Assert.Equal(InterviewType.Video, invitation.InferredType);
        Assert.Equal("UTC", Read(Invitations.Text("zoom-publish.ics")).Zone!.Id);
    }

    [Fact]
    public void A_floating_time_is_read_in_the_zone_given_and_refused_without_one()
    {
        var calendar = Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(Invitations.Text("greenhouse-onsite.eml").Split("\r\n")
            .SkipWhile(l => !l.StartsWith("Content-Transfer-Encoding: base64", StringComparison.Ordinal)).Skip(2).TakeWhile(l => !l.StartsWith("--", StringComparison.Ordinal)))));
        Assert.Contains("DTSTART", Errors(calendar).Keys);

        var invitation = Read(calendar, LosAngeles);
        Assert.Equal(new DateTimeOffset(2026, 3, 16, 16, 30, 0, TimeSpan.Zero), invitation.Start);
        Assert.Equal(120, invitation.Duration);
        Assert.Equal("Initech HQ, 500 Howard St, Floor 3, San Francisco, CA 94105", invitation.Location);
        Assert.Equal(InterviewType.InPerson, invitation.InferredType);
        Assert.Equal(["Initech Recruiting (via Greenhouse)", "María García", "Tom Becker"], invitation.Interviewers);
    }

    [Theory]
    [InlineData("LOCATION:+1 (415) 555-0134", InterviewType.PhoneScreen)]
    [InlineData("SUMMARY:Phone screen with Acme", InterviewType.PhoneScreen)]
    [InlineData("URL:tel:+14155550134", InterviewType.PhoneScreen)]
    [InlineData("LOCATION:12 Rue de Rivoli\\, Paris", InterviewType.InPerson)]
    [InlineData("DESCRIPTION:Join: https://acme.webex.com/meet/jane", InterviewType.Video)]
    [InlineData("X-MICROSOFT-ONLINEMEETINGURL:https://teams.live.com/meet/9312", InterviewType.Video)]
    [InlineData("LOCATION:Zoom", InterviewType.Video)]
    [InlineData("DESCRIPTION:The recruiter will phone you.", InterviewType.PhoneScreen)]
    public void The_type_is_inferred_from_the_link_the_phone_or_the_place(string line, InterviewType expected)
    {
        var invitation = Read(Invitations.Calendar("UID:t-1", "DTSTART:20260310T100000Z", "DURATION:PT30M", line));
        Assert.Equal(expected, invitation.InferredType);
    }

    [Fact]
    public void Without_a_link_a_phone_or_a_place_the_type_is_not_guessed()
    {
        Assert.Null(Read(Invitations.Calendar("UID:t-1", "DTSTART:20260310T100000Z", "DURATION:PT30M", "SUMMARY:Chat")).InferredType);
    }

    [Theory]
    [InlineData("TZID=W. Europe Standard Time", "Europe/Berlin")]
    [InlineData("TZID=Europe/Paris", "Europe/Paris")]
    [InlineData("TZID=/mozilla.org/20070129_1/Europe/Paris", "Europe/Paris")]
    [InlineData("TZID=\"Tokyo Standard Time\"", "Asia/Tokyo")]
    public void A_TZID_is_an_IANA_id_a_Windows_id_or_a_prefixed_IANA_id(string parameter, string zone)
    {
        var invitation = Read(Invitations.Calendar("UID:t-1", $"DTSTART;{parameter}:20260310T100000", "DURATION:PT1H", "LOCATION:Room 1"));
        Assert.Equal(zone, invitation.Zone!.Id);
    }

    [Fact]
    public void A_custom_TZID_is_known_by_its_VTIMEZONE_X_LIC_LOCATION_and_unknown_otherwise()
    {
        const string zone = "BEGIN:VTIMEZONE\r\nTZID:Custom Zone 1\r\nX-LIC-LOCATION:Asia/Kolkata\r\nEND:VTIMEZONE\r\n";
        var known = Invitations.Calendar("UID:t-1", "DTSTART;TZID=Custom Zone 1:20260310T100000", "DURATION:PT1H", "LOCATION:Room 1").Replace("BEGIN:VEVENT", zone + "BEGIN:VEVENT", StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 4, 30, 0, TimeSpan.Zero), Read(known).Start);

        var unknown = Invitations.Calendar("UID:t-1", "DTSTART;TZID=Mars Standard Time:20260310T100000", "DURATION:PT1H", "LOCATION:Room 1");
        Assert.Contains("Mars Standard Time", Errors(unknown)["TZID"][0], StringComparison.Ordinal);
        // With a zone given, an unknown TZID's wall-clock time is read in it.
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 17, 0, 0, TimeSpan.Zero), Read(unknown, LosAngeles).Start);
    }

    [Fact]
    public void A_time_the_clocks_skip_takes_the_offset_before_the_gap_as_RFC_5545_says()
    {
        // 02:30 on 8 March 2026 does not exist in Los Angeles; RFC 5545 reads it with the offset before the gap (-08:00).
        var invitation = Read(Invitations.Calendar("UID:t-1", "DTSTART;TZID=America/Los_Angeles:20260308T023000", "DURATION:PT1H", "LOCATION:Room 1"));
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 10, 30, 0, TimeSpan.Zero), invitation.Start);
    }

    [Theory]
    [InlineData("RRULE:FREQ=WEEKLY;COUNT=3", "RRULE")]
    [InlineData("RDATE:20260317T100000Z", "RDATE")]
    [InlineData("RECURRENCE-ID:20260310T100000Z", "RECURRENCE-ID")]
    [InlineData("SEQUENCE:two", "SEQUENCE")]
    [InlineData("DURATION:PT5M", "DURATION")]
    [InlineData("DURATION:PT9H", "DURATION")]
    [InlineData("DURATION:-PT1H", "DURATION")]
    [InlineData("DTEND:20260310T090000Z", "DTEND")]
    public void A_rule_the_event_breaks_is_named_by_its_property(string line, string field)
    {
        var lines = new List<string> { "UID:t-1", "DTSTART:20260310T100000Z", "LOCATION:Room 1", line };
        if (!line.StartsWith("DURATION", StringComparison.Ordinal) && !line.StartsWith("DTEND", StringComparison.Ordinal))
        {
            lines.Add("DURATION:PT1H");
        }

        Assert.Contains(field, Errors(Invitations.Calendar([.. lines])).Keys);
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("hello", "body")]
    [InlineData("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR", "VEVENT")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR", "VEVENT")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VCALENDAR", "body")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT", "body")]
    [InlineData("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR", "METHOD")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR", "UID")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR", "DTSTART")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20260310\r\nEND:VEVENT\r\nEND:VCALENDAR", "DTSTART")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:2026-03-10 10:00\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR", "DTSTART")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260310T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR", "DTEND")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;CN=\"unclosed:mailto:a@b\r\nEND:VEVENT\r\nEND:VCALENDAR", "body")]
    public void A_calendar_that_cannot_be_imported_is_refused_naming_what_is_wrong(string text, string field)
    {
        Assert.Contains(field, Errors(text).Keys);
    }

    [Fact]
    public void A_cancellation_needs_only_its_UID_and_SEQUENCE()
    {
        var cancel = Read(Invitations.Calendar("UID:t-1", "SEQUENCE:4").Replace("METHOD:REQUEST", "METHOD:CANCEL", StringComparison.Ordinal));
        Assert.True(cancel.Cancels);
        Assert.Equal(4, cancel.Invitation.Sequence);
        Assert.True(Read(Invitations.Calendar("UID:t-1", "STATUS:CANCELLED")).Cancels);
    }

    [Fact]
    public void Every_fixture_is_read_by_Ical_Net_with_the_same_UID_and_SEQUENCE()
    {
        // A third-party reader agrees that the fixtures are iCalendar and on what identifies their event.
        foreach (var fixture in Invitations.All.Where(f => f.EndsWith(".ics", StringComparison.Ordinal)))
        {
            var theirs = Assert.Single(Ical.Net.Calendar.Load(Invitations.Text(fixture))!.Events);
            var ours = InvitationReader.Read(Invitations.Text(fixture), null, LosAngeles).Value.Invitation;
            Assert.Equal(theirs.Uid, ours.Uid);
            Assert.Equal(theirs.Sequence, ours.Sequence);
        }
    }
}
