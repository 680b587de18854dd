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

/// <summary>Parses statuses as clients write them: the member name exactly ("scheduled" is refused).</summary>
public static class InterviewStatuses
{
    public static bool TryParse(string? text, out InterviewStatus status) => EnumNames.TryParse(text, out status);

    public static string AllowedValues => EnumNames.Allowed<InterviewStatus>();
}
