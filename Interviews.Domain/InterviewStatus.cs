namespace Interviews.Domain;

/// <summary>Where an interview is in its life. The allowed moves between them are <see cref="InterviewTransitions"/>.</summary>
public enum InterviewStatus
{
    Scheduled,
    Prepared,
    Completed,
    Rescheduled,
    Cancelled,
}

/// <summary>Parses statuses as clients write them: the name, case-insensitively.</summary>
public static class InterviewStatuses
{
    public static bool TryParse(string? text, out InterviewStatus status)
    {
        status = default;
        return !string.IsNullOrWhiteSpace(text)
            && !char.IsDigit(text.Trim()[0])
            && Enum.TryParse(text.Trim(), ignoreCase: true, out status)
            && Enum.IsDefined(status);
    }

    public static string AllowedValues => string.Join(", ", Enum.GetNames<InterviewStatus>());
}
