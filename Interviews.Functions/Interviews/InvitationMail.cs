using Interviews.Domain;
using MimeKit;

namespace Interviews.Functions.Interviews;

/// <summary>
/// Finds the invitation in a whole e-mail (<c>message/rfc822</c>): the first <c>text/calendar</c> part
/// (Google, Outlook and Zoom send one inline with the iTIP method), else the first <c>.ics</c>
/// attachment (how ATS and forwarded mails often carry it); a forwarded message attached whole is
/// looked into as well. MimeKit decodes the transfer encoding and the part's charset.
/// </summary>
public static class InvitationMail
{
    /// <summary>A forward of a forward of an invitation is as deep as anyone nests messages.</summary>
    private const int MaxForwardDepth = 3;

    public static Result<string> CalendarOf(byte[] message)
    {
        MimeMessage parsed;
        try
        {
            using var stream = new MemoryStream(message, writable: false);
            parsed = MimeMessage.Load(stream);
        }
        catch (FormatException)
        {
            return Error.Validation("body", "The body is not an e-mail message (RFC 5322).");
        }

        return Find(parsed, 0) ?? Error.Validation("body", "The e-mail has no calendar in it: no text/calendar part and no .ics attachment.");
    }

    private static Result<string>? Find(MimeMessage message, int depth)
    {
        var parts = message.BodyParts.ToList();
        var calendar = parts.OfType<TextPart>().FirstOrDefault(p => p.ContentType.IsMimeType("text", "calendar"))
            ?? parts.OfType<MimePart>().FirstOrDefault(IsIcsAttachment);
        if (calendar is { Content: not null })
        {
            using var decoded = new MemoryStream();
            calendar.Content.DecodeTo(decoded);
            var bytes = decoded.GetBuffer().AsSpan(0, (int)decoded.Length);
            var charset = calendar.ContentType.Charset;
            if (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
            {
                return CalendarText.DecodeUtf8(bytes);
            }

            // Another charset (an old mail client's windows-1252): MimeKit knows it, and nothing folds mid-character in a single-byte charset.
            return calendar is TextPart text ? text.Text : CalendarText.DecodeUtf8(bytes);
        }

        if (depth < MaxForwardDepth)
        {
            foreach (var forwarded in parts.OfType<MessagePart>())
            {
                if (forwarded.Message is { } inner && Find(inner, depth + 1) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static bool IsIcsAttachment(MimePart part) =>
        part.FileName?.EndsWith(".ics", StringComparison.OrdinalIgnoreCase) == true
        || part.ContentType.IsMimeType("application", "ics");
}
