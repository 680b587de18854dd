using System.Globalization;
using System.Text;
using Interviews.Domain;
using MimeKit;

namespace Interviews.Functions.Reminders;

/// <summary>
/// The reminder e-mail: the interview's time in its own timezone (and in the user's, when they set a
/// different one), type, interviewers, location or video link, the preparation checklist, and the
/// interview as an .ics attachment: an iTIP REQUEST, or the CANCEL that withdraws it once cancelled —
/// except for an interview imported from the company's invitation, whose event the calendar holds already.
/// </summary>
public static class ReminderEmail
{
    /// <param name="reminderId">The reminder's id: its Message-ID is made from it, so that a resent reminder carries the same one.</param>
    /// <param name="calendarFile">
    /// The interview as an iTIP message (its method and the .ics file), attached to the message; null for
    /// none (see <see cref="AttachesInvitation"/>).
    /// </param>
    public static MimeMessage Compose(
        string reminderId, Reminder reminder, Interview interview, NotificationSettings settings, string from, string to, DateTimeOffset now, (string Method, string Content)? calendarFile)
    {
        var type = InterviewTypes.Describe(interview.InterviewType);
        var local = interview.Timezone.ToLocal(interview.ScheduledAt);
        var subject = reminder.ReminderKind switch
        {
            ReminderKind.Before => $"Reminder: {type} interview {When(interview.ScheduledAt - now)} — {Format(local)} ({interview.Timezone.Id})",
            ReminderKind.PrepareNudge => $"Prepare for your {type.ToLowerInvariant()} interview on {Format(local)} ({interview.Timezone.Id})",
            ReminderKind.ThankYouNudge => $"Send a thank-you note for your {type.ToLowerInvariant()} interview",
            ReminderKind.FollowUpNudge => $"Time to follow up on your {type.ToLowerInvariant()} interview",
            ReminderKind.Cancellation => $"Cancelled: {type} interview on {Format(local)} ({interview.Timezone.Id})",
            ReminderKind.Moved => $"Moved: {type} interview now on {Format(local)} ({interview.Timezone.Id})",
            _ => $"{type} interview",
        };

        var body = new StringBuilder();
        body.AppendLine(reminder.ReminderKind switch
        {
            ReminderKind.Before => $"Your {type.ToLowerInvariant()} interview starts {When(interview.ScheduledAt - now)}.",
            ReminderKind.PrepareNudge => "Your interview is in two days and nothing is prepared yet.",
            ReminderKind.ThankYouNudge => ThankYouText(interview),
            ReminderKind.FollowUpNudge => "You planned to follow up on this interview: five business days have passed.",
            ReminderKind.Cancellation => "This interview was cancelled. The attached calendar update removes it from your calendar.",
            ReminderKind.Moved => "This interview was moved. The attached calendar update moves it in your calendar.",
            _ => "",
        });
        body.AppendLine();
        body.AppendLine(CultureInfo.InvariantCulture, $"When: {Format(local)} ({interview.Timezone.Id}, UTC{local:zzz}), {interview.Duration} minutes");
        if (settings.Timezone is { } userZone && userZone != interview.Timezone.Id && IanaTimeZone.Create(userZone) is { IsSuccess: true } zone)
        {
            var mine = zone.Value.ToLocal(interview.ScheduledAt);
            body.AppendLine(CultureInfo.InvariantCulture, $"Your time: {Format(mine)} ({zone.Value.Id}, UTC{mine:zzz})");
        }

        body.AppendLine(CultureInfo.InvariantCulture, $"Type: {type}");
        if (interview.Interviewers.Count > 0)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Interviewers: {string.Join(", ", interview.Interviewers)}");
        }

        if (interview.Location is { } location)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Where: {location}");
        }

        if (ReminderSchedule.CorrectsInvitation(reminder.ReminderKind))
        {
            return Message(reminderId, subject, body, from, to, now, calendarFile);
        }

        body.AppendLine();
        body.AppendLine("Preparation:");
        body.AppendLine(CultureInfo.InvariantCulture, $"  [{Check(interview.ResearchCompleted)}] Research the company");
        body.AppendLine(CultureInfo.InvariantCulture, $"  [{Check(interview.QuestionsPrepped)}] Prepare questions");
        body.AppendLine(CultureInfo.InvariantCulture, $"  [{Check(interview.MaterialsGathered)}] Gather materials");
        if (interview.PreparationQuestions.Count > 0)
        {
            body.AppendLine();
            body.AppendLine("Questions you expect:");
            for (var i = 0; i < interview.PreparationQuestions.Count; i++)
            {
                var question = interview.PreparationQuestions[i];
                body.AppendLine(CultureInfo.InvariantCulture, $"  {i + 1}. {Indent(question.Question, "     ")}");
                if (question.AnswerNotes is { } notes)
                {
                    body.AppendLine(CultureInfo.InvariantCulture, $"     Notes: {Indent(notes, "            ")}");
                }
            }
        }

        return Message(reminderId, subject, body, from, to, now, calendarFile);
    }

    /// <summary>
    /// Whether the interview's e-mails carry its invitation. Not for one imported from the company's
    /// invitation: that invitation is the event in the candidate's calendar, and ours, with another UID,
    /// would put the interview there twice.
    /// </summary>
    public static bool AttachesInvitation(Interview interview) => interview.Invitation is null;

    private static MimeMessage Message(string reminderId, string subject, StringBuilder body, string from, string to, DateTimeOffset now, (string Method, string Content)? calendarFile)
    {
        var message = NewMessage(reminderId, subject, from, to, now);
        var text = new TextPart("plain") { Text = body.ToString() };
        if (calendarFile is not { } file)
        {
            message.Body = text;
            return message;
        }

        var ics = new MimePart("text", "calendar")
        {
            Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes(file.Content))),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "interview.ics",
        };
        // RFC 6047: the part's method parameter repeats the calendar's METHOD.
        ics.ContentType.Parameters.Add("method", file.Method);
        ics.ContentType.Charset = "utf-8";
        message.Body = new Multipart("mixed") { text, ics };
        return message;
    }

    /// <summary>
    /// The morning digest: the day's interviews in the user's zone (else the first interview's), each with
    /// its time, type, length, interviewers and its join link or place.
    /// </summary>
    public static MimeMessage ComposeDigest(string reminderId, IReadOnlyList<Interview> day, TimeZoneInfo zone, string from, string to, DateTimeOffset now)
    {
        var date = TimeZoneInfo.ConvertTime(day[0].ScheduledAt, zone).ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture);
        var subject = day.Count == 1 ? $"Today: 1 interview — {date}" : $"Today: {day.Count} interviews — {date}";
        var body = new StringBuilder();
        body.AppendLine(CultureInfo.InvariantCulture, $"Your interviews on {date} ({zone.Id}):");
        foreach (var interview in day)
        {
            var local = TimeZoneInfo.ConvertTime(interview.ScheduledAt, zone);
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"{local:HH:mm}  {InterviewTypes.Describe(interview.InterviewType)} interview, {interview.Duration} minutes");
            if (interview.Interviewers.Count > 0)
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"       With: {string.Join(", ", interview.Interviewers)}");
            }

            if (interview.Location is { } location)
            {
                var link = Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http";
                body.AppendLine(CultureInfo.InvariantCulture, $"       {(link ? "Join" : "Where")}: {location}");
            }
        }

        var message = NewMessage(reminderId, subject, from, to, now);
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }

    private static MimeMessage NewMessage(string reminderId, string subject, string from, string to, DateTimeOffset now)
    {
        var sender = MailboxAddress.Parse(from);
        var message = new MimeMessage { Subject = subject, Date = now, MessageId = MessageId(reminderId, sender) };
        message.From.Add(sender);
        message.To.Add(MailboxAddress.Parse(to));
        return message;
    }

    /// <summary>
    /// <c>reminder-{id}@{the sender's domain}</c>: the same for every copy of one reminder, so that a
    /// copy sent again after a crash is recognised as a duplicate by mail clients and relays.
    /// </summary>
    public static string MessageId(string reminderId, MailboxAddress sender) => $"reminder-{reminderId}@{sender.Domain}";

    private static string ThankYouText(Interview interview)
    {
        var missing = ReminderSchedule.WithoutThankYou(interview);
        return missing.Count == 0
            ? "It has been a day since your interview and no thank-you note is recorded."
            : interview.ThankYouNoteSent
                ? $"It has been a day since your interview; no thank-you note is recorded yet for {List(missing)}."
                : $"It has been a day since your interview and no thank-you note is recorded for {List(missing)}.";
    }

    /// <summary>"A", "A and B", "A, B and C".</summary>
    private static string List(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    /// <summary>"Thursday 5 March 2026, 09:30".</summary>
    public static string Format(DateTimeOffset local) => local.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    private static string When(TimeSpan ahead) => ahead switch
    {
        { TotalMinutes: < 1 } => "now",
        { TotalMinutes: < 90 } => $"in {Math.Round(ahead.TotalMinutes)} minutes",
        { TotalHours: < 36 } => $"in {Math.Round(ahead.TotalHours)} hours",
        _ => $"in {Math.Round(ahead.TotalDays)} days",
    };

    private static char Check(bool done) => done ? 'x' : ' ';

    /// <summary>Continuation lines of multi-line text indented under their first line.</summary>
    private static string Indent(string text, string indent) => text.ReplaceLineEndings(Environment.NewLine + indent);
}
