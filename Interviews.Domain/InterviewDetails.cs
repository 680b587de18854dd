namespace Interviews.Domain;

/// <summary>
/// The details a candidate sets when scheduling and may edit later: the application it belongs to,
/// type, planned duration, location or video link, interviewers, timezone, and the reminder offsets
/// that override the user's for this interview. Validates itself:
/// <see cref="Create"/> reports every invalid field at once.
/// </summary>
public sealed record InterviewDetails
{
    private InterviewDetails(Guid applicationId, InterviewType type, int duration, string? location, IReadOnlyList<string> interviewers, IanaTimeZone timezone, IReadOnlyList<int>? reminderMinutesBefore)
    {
        ReminderMinutesBefore = reminderMinutesBefore;
        ApplicationId = applicationId;
        InterviewType = type;
        Duration = duration;
        Location = location;
        Interviewers = interviewers;
        Timezone = timezone;
    }

    public Guid ApplicationId { get; }

    public InterviewType InterviewType { get; }

    public int Duration { get; }

    public string? Location { get; }

    public IReadOnlyList<string> Interviewers { get; }

    public IanaTimeZone Timezone { get; }

    /// <summary>
    /// Minutes before the interview at which its reminders go out, ascending, in place of the user's
    /// settings; null to follow the settings, empty for no reminder before this interview.
    /// </summary>
    public IReadOnlyList<int>? ReminderMinutesBefore { get; }

    public static Result<InterviewDetails> Create(
        Guid? applicationId,
        string? interviewType,
        int? duration,
        string? location,
        IReadOnlyList<string?>? interviewers,
        string? timezone,
        IReadOnlyList<int>? reminderMinutesBefore = null)
    {
        var errors = new ValidationErrors();

        if (applicationId is null)
        {
            errors.Add("applicationId", "The application id is required: an interview must be linked to an application.");
        }
        else if (applicationId == Guid.Empty)
        {
            errors.Add("applicationId", "The application id must not be the empty GUID.");
        }

        var type = default(InterviewType);
        if (string.IsNullOrWhiteSpace(interviewType))
        {
            errors.Add("interviewType", $"The interview type is required: one of {InterviewTypes.AllowedValues}.");
        }
        else if (!InterviewTypes.TryParse(interviewType, out type))
        {
            errors.Add("interviewType", $"Unknown interview type; use one of {InterviewTypes.AllowedValues}.");
        }

        if (duration is null)
        {
            errors.Add("duration", "The duration in minutes is required.");
        }
        else if (duration is < InterviewLimits.MinDuration or > InterviewLimits.MaxDuration)
        {
            errors.Add("duration", $"The duration must be between {InterviewLimits.MinDuration} and {InterviewLimits.MaxDuration} minutes.");
        }

        var cleanLocation = Text.OrNull(location);
        if (cleanLocation?.Length > InterviewLimits.MaxLocation)
        {
            errors.Add("location", $"The location must be at most {InterviewLimits.MaxLocation} characters.");
        }

        var names = new List<string>();
        if (interviewers is not null)
        {
            if (interviewers.Count > InterviewLimits.MaxInterviewers)
            {
                errors.Add("interviewers", $"At most {InterviewLimits.MaxInterviewers} interviewers.");
            }

            for (var i = 0; i < interviewers.Count; i++)
            {
                var name = Text.OrNull(interviewers[i]);
                if (name is null)
                {
                    errors.Add($"interviewers[{i}]", "An interviewer's name must not be empty.");
                }
                else if (name.Length > InterviewLimits.MaxInterviewerName)
                {
                    errors.Add($"interviewers[{i}]", $"An interviewer's name must be at most {InterviewLimits.MaxInterviewerName} characters.");
                }
                else
                {
                    names.Add(name);
                }
            }
        }

        var zone = IanaTimeZone.Create(timezone);
        errors.AddFrom(zone.Error);

        var offsets = reminderMinutesBefore is null ? null : ReminderOffsets.Check(reminderMinutesBefore, "reminderMinutesBefore", errors);

        if (errors.Any)
        {
            return errors.ToError();
        }

        return new InterviewDetails(applicationId!.Value, type, duration!.Value, cleanLocation, names, zone.Value, offsets);
    }

    /// <summary>Restores details that were valid when they were saved, without validating them again.</summary>
    internal static InterviewDetails Restore(Guid applicationId, InterviewType type, int duration, string? location, IReadOnlyList<string> interviewers, IanaTimeZone timezone, IReadOnlyList<int>? reminderMinutesBefore) =>
        new(applicationId, type, duration, location, interviewers, timezone, reminderMinutesBefore);

    /// <summary>These details with <paramref name="reminderMinutesBefore"/> (already valid: another details' offsets).</summary>
    internal InterviewDetails WithReminderMinutesBefore(IReadOnlyList<int>? reminderMinutesBefore) =>
        new(ApplicationId, InterviewType, Duration, Location, Interviewers, Timezone, reminderMinutesBefore);

    public bool Equals(InterviewDetails? other) =>
        other is not null
        && ApplicationId == other.ApplicationId
        && InterviewType == other.InterviewType
        && Duration == other.Duration
        && Location == other.Location
        && Interviewers.SequenceEqual(other.Interviewers)
        && Timezone.Id == other.Timezone.Id
        // Null (the user's settings) and empty (none) are different choices.
        && (ReminderMinutesBefore is null ? other.ReminderMinutesBefore is null : other.ReminderMinutesBefore is not null && ReminderMinutesBefore.SequenceEqual(other.ReminderMinutesBefore));

    public override int GetHashCode() => HashCode.Combine(ApplicationId, InterviewType, Duration, Location, Timezone.Id);
}

/// <summary>Text input normalisation shared by the aggregate's rules.</summary>
internal static class Text
{
    /// <summary>The trimmed text, or null when it is null or only white space.</summary>
    public static string? OrNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
