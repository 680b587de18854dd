using System.Text;
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

        return Find(parsed, 0) is { } calendar
            ? calendar
            : Error.Validation("body", "The e-mail has no calendar in it: no text/calendar part and no .ics attachment.");
    }

    private static string? Find(MimeMessage message, int depth)
    {
        var parts = message.BodyParts.ToList();
        if (parts.OfType<TextPart>().FirstOrDefault(p => p.ContentType.IsMimeType("text", "calendar")) is { } inline)
        {
            return inline.Text;
        }

        if (parts.OfType<MimePart>().FirstOrDefault(IsIcsAttachment) is { Content: not null } attachment)
        {
            using var decoded = new MemoryStream();
            attachment.Content.DecodeTo(decoded);
            return Encoding.UTF8.GetString(decoded.GetBuffer(), 0, (int)decoded.Length);
        }

        if (depth < MaxForwardDepth)
        {
            foreach (var forwarded in parts.OfType<MessagePart>())
            {
                if (forwarded.Message is { } inner && Find(inner, depth + 1) is { } calendar)
                {
                    return calendar;
                }
            }
        }

        return null;
    }

    private static bool IsIcsAttachment(MimePart part) =>
        part.FileName?.EndsWith(".ics", StringComparison.OrdinalIgnoreCase) == true
        || part.ContentType.IsMimeType("application", "ics");
}
