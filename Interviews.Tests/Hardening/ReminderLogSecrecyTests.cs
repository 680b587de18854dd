using System.Net;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Interviews.Tests.Hardening;

/// <summary>
/// The reminder e-mail scenario with every log record captured: the e-mail goes out, and the logs
/// carry no token, no address (the token's or the chosen one), no line of the e-mail, no note text
/// and no SMTP password.
/// </summary>
public sealed class ReminderLogSecrecyTests
{
    [Fact]
    public async Task A_full_reminder_scenario_logs_no_token_address_email_text_note_or_smtp_secret()
    {
        await using var smtp = SmtpSink.Start();
        var settings = new Dictionary<string, string?>(smtp.Settings) { ["Email:Smtp:Password"] = "SMTP-PASSWORD-never-logged" };
        using var factory = LocalHostFactory.WithSettings(settings, services => services.AddFakeLogging());
        var user = LocalHostFactory.NewUser();
        const string tokenAddress = "token.address.private@example.com";
        const string chosenAddress = "chosen.address.private@example.org";
        var token = factory.Tokens.Mint(user, tokenAddress, DateTimeOffset.UtcNow);
        using var client = factory.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { email = chosenAddress, timezone = "Europe/Paris" })).StatusCode);
        var (id, _, _) = await client.ScheduleAsync(factory, 2,
            ("location", "Secret Office Building 7"), ("interviewers", new System.Text.Json.Nodes.JsonArray("Private Interviewer Name")));
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { preparationNotes = "PRIVATE-PREP-NOTE salary", researchCompleted = true })).StatusCode);
        await factory.RunTimerAsync("EventPump");

        // The 24-hour reminder falls due.
        factory.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await factory.RunTimerAsync("EventPump");
        await factory.RunTimerAsync("SendReminders");
        var message = Assert.Single(smtp.Messages);
        Assert.Equal(chosenAddress, message.To.Mailboxes.Single().Address);

        // Completion and a thank-you note, with their own private text.
        factory.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/complete", new { interviewNotes = "PRIVATE-INTERVIEW-NOTE", nextSteps = "PRIVATE-NEXT-STEPS" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{id}/thank-you", new { recipients = new[] { "recruiter.private@techcorp.example" }, method = "Email", notes = "PRIVATE-THANK-YOU-NOTE" })).StatusCode);
        await factory.RunTimerAsync("EventPump");
        await factory.RunTimerAsync("SendReminders");

        var records = factory.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains("sent", StringComparison.Ordinal) && r.Message.Contains(id, StringComparison.Ordinal));
        var everything = string.Join('\n', records.Select(Text));

        var emailLines = (message.TextBody ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Length >= 12).ToList();
        Assert.NotEmpty(emailLines);
        string[] secrets =
        [
            token, token.Split('.')[1], token.Split('.')[2], tokenAddress, chosenAddress, "recruiter.private", message.Subject ?? "(no subject)",
            "Secret Office Building 7", "Private Interviewer Name", "PRIVATE-PREP-NOTE", "PRIVATE-INTERVIEW-NOTE", "PRIVATE-NEXT-STEPS",
            "PRIVATE-THANK-YOU-NOTE", "SMTP-PASSWORD-never-logged", user,
        ];
        foreach (var secret in secrets.Concat(emailLines))
        {
            Assert.False(everything.Contains(secret, StringComparison.OrdinalIgnoreCase), $"The logs contain '{secret}'.");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Log secrecy: {records.Count} log records searched for {secrets.Length + emailLines.Count} secrets (incl. {emailLines.Count} lines of the e-mail): none found.");
    }

    private static string Text(FakeLogRecord record) => string.Join(
        " | ",
        new[] { record.Message, record.Exception?.ToString() }
            .Concat(record.StructuredState?.Select(p => $"{p.Key}={p.Value}") ?? [])
            .Concat(record.Scopes.Select(s => s is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : s?.ToString())));
}
