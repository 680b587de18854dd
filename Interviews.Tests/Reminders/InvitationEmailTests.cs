using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.Tests.Calendar;
using Interviews.Tests.Support;
using MimeKit;

namespace Interviews.Tests.Reminders;

/// <summary>
/// The invitation every reminder e-mail attaches is an iTIP message (RFC 5546) that a calendar can act
/// on: REQUEST while the interview is on, with a higher SEQUENCE after a move (in an e-mail of its own
/// when no reminder goes at once), and once it is cancelled an e-mail whose CANCEL (same UID, higher
/// SEQUENCE, STATUS:CANCELLED) removes it — each parsed by a third-party parser (ical.js).
/// </summary>
public sealed class InvitationEmailTests : ReminderScenario
{
    protected override object? InitialSettings => new { nudgesEnabled = false };

    private async Task<string> ScheduleAsync(string scheduledAt)
    {
        var body = ApiClient.ScheduleRequest(Factory.Clock.GetUtcNow(), ("scheduledAt", scheduledAt), ("timezone", "UTC"), ("interviewType", "Technical"));
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/interviews", body.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync())["id"]!.GetValue<string>();
    }

    /// <summary>The attached .ics parsed by ical.js, after checking that the MIME part's method repeats the calendar's.</summary>
    private static async Task<(JsonObject Calendar, JsonNode Event)> InvitationAsync(MimeMessage message)
    {
        var part = message.Attachments.OfType<MimePart>().Single(a => a.ContentType.MimeType == "text/calendar");
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        var calendar = await NodeTools.ParseIcsAsync(Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal(calendar["method"]!.GetValue<string>(), part.ContentType.Parameters["method"]);
        return (calendar, Assert.Single(calendar["events"]!.AsArray())!);
    }

    [Fact]
    public async Task A_reminder_carries_a_request_a_move_a_higher_sequence_and_a_cancellation_withdraws_it()
    {
        await NodeTools.RequireAsync();
        var id = await ScheduleAsync("2026-03-10T13:00:00Z");
        await RunAtAsync(new DateTimeOffset(2026, 3, 9, 13, 0, 0, TimeSpan.Zero));
        var (first, firstEvent) = await InvitationAsync(Assert.Single(Smtp.Messages));
        Assert.Equal("REQUEST", first["method"]!.GetValue<string>());
        Assert.Equal($"{id}@interviews", firstEvent["uid"]!.GetValue<string>());
        Assert.Equal("CONFIRMED", firstEvent["status"]!.GetValue<string>());
        // iTIP wants an organizer and the attendee the message is for: the sender and the candidate (never the interviewers).
        Assert.Equal("mailto:reminders@interviews.test", firstEvent["organizer"]!.GetValue<string>());
        Assert.Equal(["mailto:candidate@example.com"], firstEvent["attendeeAddresses"]!.AsArray().Select(a => a!.GetValue<string>()));

        // Moved by the company: the next reminder updates the same event.
        var moved = await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = "2026-03-10T15:00:00Z", initiatedBy = "Company" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero));
        Assert.Equal(2, Smtp.Messages.Count);
        var (update, updateEvent) = await InvitationAsync(Smtp.Messages[1]);
        Assert.Equal("REQUEST", update["method"]!.GetValue<string>());
        Assert.Equal(firstEvent["uid"]!.GetValue<string>(), updateEvent["uid"]!.GetValue<string>());
        Assert.True(updateEvent["sequence"]!.GetValue<int>() > firstEvent["sequence"]!.GetValue<int>());
        Assert.Equal("2026-03-10T15:00:00.000Z", updateEvent["start"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/interviews/{id}", TestContext.Current.CancellationToken)).StatusCode);
        await PumpAndSendAsync();
        Assert.Equal(3, Smtp.Messages.Count);
        var cancellation = Smtp.Messages[2];
        Assert.StartsWith("Cancelled: Technical interview", cancellation.Subject, StringComparison.Ordinal);
        var (cancel, cancelEvent) = await InvitationAsync(cancellation);
        Assert.Equal("CANCEL", cancel["method"]!.GetValue<string>());
        Assert.Equal(firstEvent["uid"]!.GetValue<string>(), cancelEvent["uid"]!.GetValue<string>());
        Assert.True(cancelEvent["sequence"]!.GetValue<int>() > updateEvent["sequence"]!.GetValue<int>());
        Assert.Equal("CANCELLED", cancelEvent["status"]!.GetValue<string>());

        // Once only.
        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 14, 30, 0, TimeSpan.Zero));
        Assert.Equal(3, Smtp.Messages.Count);
    }

    [Fact]
    public async Task An_interview_moved_after_its_invitation_went_out_gets_the_request_at_its_new_time_at_once()
    {
        await NodeTools.RequireAsync();
        var id = await ScheduleAsync("2026-03-10T13:00:00Z");
        await RunAtAsync(new DateTimeOffset(2026, 3, 9, 13, 0, 0, TimeSpan.Zero));
        var (_, first) = await InvitationAsync(Assert.Single(Smtp.Messages));

        // A week later: no reminder is due before then, so without an e-mail now the calendar would keep the old slot.
        var moved = await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = "2026-03-17T13:00:00Z", initiatedBy = "Company" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await PumpAndSendAsync();
        Assert.Equal(2, Smtp.Messages.Count);
        Assert.StartsWith("Moved: Technical interview now on Tuesday 17 March 2026, 13:00", Smtp.Messages[1].Subject, StringComparison.Ordinal);
        var (update, updateEvent) = await InvitationAsync(Smtp.Messages[1]);
        Assert.Equal("REQUEST", update["method"]!.GetValue<string>());
        Assert.Equal(first["uid"]!.GetValue<string>(), updateEvent["uid"]!.GetValue<string>());
        Assert.True(updateEvent["sequence"]!.GetValue<int>() > first["sequence"]!.GetValue<int>());
        Assert.Equal("2026-03-17T13:00:00.000Z", updateEvent["start"]!.GetValue<string>());

        // Once; then the reminders of the new time as usual.
        await RunAtAsync(new DateTimeOffset(2026, 3, 12, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(2, Smtp.Messages.Count);
        await RunAtAsync(new DateTimeOffset(2026, 3, 16, 13, 0, 0, TimeSpan.Zero));
        Assert.Equal(3, Smtp.Messages.Count);
        Assert.StartsWith("Reminder: Technical interview in 24 hours", Smtp.Messages[2].Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_interview_moved_before_any_email_went_out_sends_nothing_until_its_reminders()
    {
        var id = await ScheduleAsync("2026-03-10T13:00:00Z");
        await PumpAndSendAsync();
        var moved = await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = "2026-03-17T13:00:00Z", initiatedBy = "Candidate" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await PumpAndSendAsync();

        Assert.Empty(Smtp.Messages);
    }

    [Fact]
    public async Task An_interview_cancelled_before_any_email_went_out_sends_nothing()
    {
        var id = await ScheduleAsync("2026-03-10T13:00:00Z");
        await PumpAndSendAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/interviews/{id}", TestContext.Current.CancellationToken)).StatusCode);
        await PumpAndSendAsync();
        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));

        Assert.Empty(Smtp.Messages);
    }

    [Fact]
    public async Task The_invitation_is_withdrawn_even_when_reminders_were_turned_off_since()
    {
        await NodeTools.RequireAsync();
        var id = await ScheduleAsync("2026-03-10T13:00:00Z");
        await RunAtAsync(new DateTimeOffset(2026, 3, 9, 13, 0, 0, TimeSpan.Zero));
        Assert.Single(Smtp.Messages);
        var off = await Client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { remindersEnabled = false, nudgesEnabled = false });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/interviews/{id}", TestContext.Current.CancellationToken)).StatusCode);
        await PumpAndSendAsync();

        Assert.Equal(2, Smtp.Messages.Count);
        Assert.Equal("CANCEL", (await InvitationAsync(Smtp.Messages[1])).Calendar["method"]!.GetValue<string>());
    }
}
