using System.Net;
using Interviews.Tests.Import;
using Interviews.Tests.Support;
using MimeKit;

namespace Interviews.Tests.Reminders;

/// <summary>
/// An interview imported from the company's invitation is in the candidate's calendar as the company's
/// event: its reminders attach no invitation of ours (a second event, another UID), and its moves and
/// cancellation send no correction (the company sends its own).
/// </summary>
public sealed class ImportedInterviewEmailTests : ReminderScenario
{
    protected override string Address => Invitations.CandidateEmail;

    protected override object? InitialSettings => new { nudgesEnabled = false };

    private static bool HasCalendarPart(MimeMessage message) =>
        message.BodyParts.Any(part => part.ContentType.MimeType == "text/calendar");

    private async Task ImportAsync(string fixture, HttpStatusCode expected)
    {
        Assert.Equal(expected, (await Client.ImportFixtureAsync(fixture)).StatusCode);
        await PumpAndSendAsync();
    }

    /// <summary>Imported for 10:00 in New York on 10 March (14:00Z), with its 24-hour reminder sent (the user's offsets are 24 h and 1 h).</summary>
    private async Task<MimeMessage> ImportedAndRemindedAsync()
    {
        await ImportAsync("google-meet-request.ics", HttpStatusCode.Created);
        await RunAtAsync(new DateTimeOffset(2026, 3, 9, 14, 0, 0, TimeSpan.Zero));
        return Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task Its_reminders_attach_no_invitation()
    {
        var reminder = await ImportedAndRemindedAsync();

        Assert.StartsWith("Reminder: Video interview in 24 hours", reminder.Subject, StringComparison.Ordinal);
        Assert.False(HasCalendarPart(reminder));
        Assert.Contains("https://meet.google.com/abc-defg-hij", reminder.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_move_by_an_updated_invitation_sends_no_moved_email_only_the_reminders_of_the_new_time()
    {
        await ImportedAndRemindedAsync();

        // To 15:00 in New York on 11 March (19:00Z).
        await ImportAsync("google-meet-moved.ics", HttpStatusCode.OK);
        Assert.Single(Smtp.Messages);
        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 19, 0, 0, TimeSpan.Zero));

        Assert.Equal(2, Smtp.Messages.Count);
        Assert.StartsWith("Reminder: Video interview in 24 hours", Smtp.Messages[1].Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancellation_by_the_invitation_sends_no_cancelled_email()
    {
        await ImportedAndRemindedAsync();

        await ImportAsync("google-meet-cancel.ics", HttpStatusCode.OK);
        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero));

        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task Cancelling_it_by_hand_sends_no_correction_either()
    {
        await ImportedAndRemindedAsync();
        var id = (await (await Client.GetPathAsync("/api/interviews")).JsonAsync())["items"]![0]!["id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/interviews/{id}", TestContext.Current.CancellationToken)).StatusCode);
        await PumpAndSendAsync();
        await RunAtAsync(new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero));

        Assert.Single(Smtp.Messages);
    }
}
