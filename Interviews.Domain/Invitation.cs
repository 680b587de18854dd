namespace Interviews.Domain;

/// <summary>
/// The calendar invitation an interview was imported from: its iCalendar UID (RFC 5545, the same across
/// every revision of the event) and the SEQUENCE of the revision last applied. A revision with a higher
/// SEQUENCE changes the interview; one with an equal or lower SEQUENCE is one it has already seen.
/// </summary>
public sealed record Invitation
{
    /// <summary>Providers' UIDs run to a few hundred characters (Exchange's are hex of about 112); this bounds what is kept.</summary>
    public const int MaxUidLength = 1000;

    private Invitation(string uid, int sequence)
    {
        Uid = uid;
        Sequence = sequence;
    }

    public string Uid { get; }

    public int Sequence { get; }

    public static Result<Invitation> Create(string? uid, int sequence)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(uid))
        {
            errors.Add("UID", "The event has no UID: an invitation without one cannot be recognised when it is updated.");
        }
        else if (uid.Length > MaxUidLength)
        {
            errors.Add("UID", $"The UID must be at most {MaxUidLength} characters.");
        }

        if (sequence < 0)
        {
            errors.Add("SEQUENCE", "The SEQUENCE must be a non-negative integer.");
        }

        return errors.Any ? errors.ToError() : new Invitation(uid!, sequence);
    }

    /// <summary>Restores an invitation that was valid when it was saved.</summary>
    internal static Invitation Restore(string uid, int sequence) => new(uid, sequence);

    /// <summary>Whether <paramref name="other"/> is a later revision of this same invitation.</summary>
    public bool IsSupersededBy(Invitation other) => other.Uid == Uid && other.Sequence > Sequence;
}
