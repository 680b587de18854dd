using System.Net;
using System.Text;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Interviews.Tests.Reminders;

/// <summary>
/// Reminders end to end: scheduled over HTTP, planned by the event pump, sent by the reminder timer to a
/// real SMTP server on loopback, with the fake clock moved between runs.
/// </summary>
public sealed class ReminderEmailTests : ReminderScenario
{
    private const string CandidateAddress = "candidate@example.com";

    // These tests are about the reminders before an interview; NudgeTests covers the nudges.
    protected override object? InitialSettings => new { nudgesEnabled = false };

    private DateTimeOffset Now => Factory.Clock.GetUtcNow();

    private void MoveTo(DateTimeOffset instant) => Factory.Clock.SetUtcNow(instant);

    private async Task<string> ScheduleAsync(string scheduledAt, string timezone, params string[] interviewers)
    {
        var body = ApiClient.ScheduleRequest(Now, ("scheduledAt", scheduledAt), ("timezone", timezone), ("interviewType", "Technical"),
            ("interviewers", new System.Text.Json.Nodes.JsonArray([.. interviewers.Select(i => (System.Text.Json.Nodes.JsonNode)i)])));
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/interviews", body.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync())["id"]!.GetValue<string>();
    }


    [Fact]
    public async Task A_reminder_goes_out_24_hours_and_1_hour_before_with_the_interview_details()
    {
        // Tuesday 10 March 2026, 14:00 in Berlin (UTC+1) = 13:00Z.
        var id = await ScheduleAsync("2026-03-10T14:00:00", "Europe/Berlin", "Ada Lovelace", "Grace Hopper");
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);

        MoveTo(new DateTimeOffset(2026, 3, 9, 12, 59, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);

        MoveTo(new DateTimeOffset(2026, 3, 9, 13, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        var first = Assert.Single(Smtp.Messages);
        Assert.Equal(CandidateAddress, first.To.Mailboxes.Single().Address);
        Assert.Equal("reminders@interviews.test", first.From.Mailboxes.Single().Address);
        Assert.Equal("Reminder: Technical interview in 24 hours — Tuesday 10 March 2026, 14:00 (Europe/Berlin)", first.Subject);
        var text = first.TextBody;
        Assert.Contains("When: Tuesday 10 March 2026, 14:00 (Europe/Berlin, UTC+01:00), 60 minutes", text, StringComparison.Ordinal);
        Assert.Contains("Interviewers: Ada Lovelace, Grace Hopper", text, StringComparison.Ordinal);
        Assert.Contains("Where: https://zoom.us/j/12345", text, StringComparison.Ordinal);
        Assert.Contains("[ ] Research the company", text, StringComparison.Ordinal);

        var ics = Ics(first);
        var calendarEvent = Assert.Single(ics.Events);
        Assert.Equal($"{id}@interviews", calendarEvent.Uid);
        Assert.Equal(new DateTime(2026, 3, 10, 13, 0, 0, DateTimeKind.Utc), calendarEvent.DtStart!.AsUtc);
        Assert.Equal(new DateTime(2026, 3, 10, 14, 0, 0, DateTimeKind.Utc), calendarEvent.DtEnd!.AsUtc);

        // Running again sends nothing more.
        await PumpAndSendAsync();
        Assert.Single(Smtp.Messages);

        MoveTo(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Equal(2, Smtp.Messages.Count);
        Assert.StartsWith("Reminder: Technical interview in 60 minutes", Smtp.Messages[1].Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rescheduling_replans_and_cancelling_removes_the_reminders_and_withdraws_the_invitation()
    {
        var id = await ScheduleAsync("2026-03-10T14:00:00", "Europe/Berlin");
        await PumpAndSendAsync();
        var moved = await Client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = "2026-03-12T10:00:00", initiatedBy = "Company" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await PumpAndSendAsync();

        // The old 24-hour slot passes without an e-mail; the new one sends.
        MoveTo(new DateTimeOffset(2026, 3, 9, 13, 30, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);
        MoveTo(new DateTimeOffset(2026, 3, 11, 9, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Contains("Thursday 12 March 2026, 10:00", Assert.Single(Smtp.Messages).Subject, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null)).StatusCode);
        await PumpAndSendAsync();
        // The e-mailed invitation is withdrawn at once (InvitationEmailTests checks its iTIP); the 1-hour reminder never goes.
        Assert.Equal(2, Smtp.Messages.Count);
        Assert.StartsWith("Cancelled: Technical interview on Thursday 12 March 2026, 10:00", Smtp.Messages[1].Subject, StringComparison.Ordinal);
        MoveTo(new DateTimeOffset(2026, 3, 12, 8, 30, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Equal(2, Smtp.Messages.Count);
    }

    [Fact]
    public async Task A_reminder_whose_time_has_passed_goes_out_at_once_and_only_the_latest()
    {
        // Scheduled 30 minutes ahead: both the 24-hour and the 1-hour slot have passed; one e-mail goes now.
        await ScheduleAsync(Now.AddMinutes(30).ToString("O", System.Globalization.CultureInfo.InvariantCulture), "UTC");
        await PumpAndSendAsync();
        var message = Assert.Single(Smtp.Messages);
        Assert.StartsWith("Reminder: Technical interview in 30 minutes", message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reminder_for_an_interview_that_started_is_dropped()
    {
        await ScheduleAsync("2026-03-10T14:00:00Z", "UTC");
        await PumpAndSendAsync();
        // The sender was down through both slots and the interview itself.
        MoveTo(new DateTimeOffset(2026, 3, 10, 15, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);
    }

    [Fact]
    public async Task A_reminder_24_hours_before_an_interview_just_after_a_dst_change_is_right_in_instant_and_wall_clock()
    {
        // Clocks in Los Angeles go forward at 02:00 on Sunday 8 March 2026. An interview at 12:00 PDT
        // (19:00Z) that day: its 24-hour reminder is due at 19:00Z on Saturday, which is 11:00 PST.
        await ScheduleAsync("2026-03-08T12:00:00", "America/Los_Angeles");
        await PumpAndSendAsync();
        MoveTo(new DateTimeOffset(2026, 3, 7, 18, 59, 59, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);

        MoveTo(new DateTimeOffset(2026, 3, 7, 19, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        var message = Assert.Single(Smtp.Messages);
        Assert.Equal("Reminder: Technical interview in 24 hours — Sunday 8 March 2026, 12:00 (America/Los_Angeles)", message.Subject);
        Assert.Contains("(America/Los_Angeles, UTC-07:00)", message.TextBody, StringComparison.Ordinal);
        Assert.Equal(new DateTime(2026, 3, 8, 19, 0, 0, DateTimeKind.Utc), Assert.Single(Ics(message).Events).DtStart!.AsUtc);
    }

    [Fact]
    public async Task WhenSmtp_is_down_the_reminder_waits_and_arrives_once_when_it_is_back()
    {
        await ScheduleAsync("2026-03-10T14:00:00Z", "UTC");
        await PumpAndSendAsync();
        await Smtp.StopAsync();
        MoveTo(new DateTimeOffset(2026, 3, 9, 14, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        MoveTo(Now.AddSeconds(30));
        await PumpAndSendAsync();

        Smtp.Resume();
        // Still inside the back-off: nothing yet.
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);
        MoveTo(Now.AddMinutes(2));
        await PumpAndSendAsync();
        Assert.Single(Smtp.Messages);
        MoveTo(Now.AddMinutes(10));
        await PumpAndSendAsync();
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task Replaying_the_feed_after_a_crash_before_the_checkpoint_sends_no_second_email()
    {
        await ScheduleAsync("2026-03-10T14:00:00Z", "UTC");
        var checkpoints = Factory.Services.GetRequiredService<Interviews.Functions.Storage.ICheckpointStore>();
        var before = await checkpoints.ReadAsync("event-pump:reminders", TestContext.Current.CancellationToken);
        await Factory.RunTimerAsync("EventPump");

        // The crash: the planner ran but the checkpoint was never written.
        await checkpoints.WriteAsync("event-pump:reminders", before ?? """{"continuation":null,"failingEventId":null,"attempts":0,"retryAt":null,"handledInPage":null}""", TestContext.Current.CancellationToken);
        await Factory.RunTimerAsync("EventPump");

        MoveTo(new DateTimeOffset(2026, 3, 9, 14, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task Without_an_address_nothing_is_sent()
    {
        var anonymous = Factory.ClientFor(LocalHostFactory.NewUser());
        await anonymous.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { nudgesEnabled = false });
        var response = await anonymous.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero)).ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await PumpAndSendAsync();
        MoveTo(new DateTimeOffset(2026, 3, 9, 14, 0, 0, TimeSpan.Zero));
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);
    }

    private static Ical.Net.Calendar Ics(MimeMessage message)
    {
        var part = message.Attachments.OfType<MimePart>().Single(a => a.ContentType.MimeType == "text/calendar");
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        return Ical.Net.Calendar.Load(Encoding.UTF8.GetString(stream.ToArray()))!;
    }
}
