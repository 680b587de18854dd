using Interviews.Domain;

namespace Interviews.Tests.Support;

/// <summary>Builds interviews for domain tests: valid defaults, one With… per detail, and any status.</summary>
public sealed class InterviewBuilder
{
    /// <summary>The time the builder schedules at: a Monday morning in UTC.</summary>
    public static readonly DateTimeOffset ScheduledOn = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private Guid _userId = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private Guid _applicationId = Guid.Parse("22222222-2222-2222-2222-222222222222");
    private string _type = "Video";
    private int _duration = 60;
    private string? _location = "https://zoom.us/j/12345";
    private List<string?> _interviewers = ["Jane Smith", "John Doe"];
    private string _timezone = "America/Los_Angeles";
    private DateTimeOffset _scheduledAt = ScheduledOn.AddDays(3);
    private Invitation? _invitation;
    private List<int>? _reminderMinutesBefore;

    /// <summary>
    /// The clock after the last step of <see cref="Build(InterviewStatus)"/>: later than every time the
    /// interview recorded (created, updated, completed); an open interview's <c>ScheduledAt</c> is still ahead of it.
    /// </summary>
    public DateTimeOffset Now { get; private set; } = ScheduledOn;

    public InterviewBuilder ForUser(Guid userId)
    {
        _userId = userId;
        return this;
    }

    public InterviewBuilder ForApplication(Guid applicationId)
    {
        _applicationId = applicationId;
        return this;
    }

    public InterviewBuilder OfType(string type)
    {
        _type = type;
        return this;
    }

    public InterviewBuilder Lasting(int minutes)
    {
        _duration = minutes;
        return this;
    }

    public InterviewBuilder At(string? location)
    {
        _location = location;
        return this;
    }

    public InterviewBuilder With(params string?[] interviewers)
    {
        _interviewers = [.. interviewers];
        return this;
    }

    public InterviewBuilder InZone(string timezone)
    {
        _timezone = timezone;
        return this;
    }

    public InterviewBuilder ScheduledFor(DateTimeOffset scheduledAt)
    {
        _scheduledAt = scheduledAt;
        return this;
    }

    /// <summary>With reminder offsets of its own, overriding the user's (none given: no reminder before it).</summary>
    public InterviewBuilder RemindingAt(params int[] minutesBefore)
    {
        _reminderMinutesBefore = [.. minutesBefore];
        return this;
    }

    /// <summary>Imported from the calendar invitation <paramref name="uid"/> at revision <paramref name="sequence"/>.</summary>
    public InterviewBuilder FromInvitation(string uid, int sequence = 0)
    {
        _invitation = Invitation.Create(uid, sequence).Value;
        return this;
    }

    public Result<InterviewDetails> Details() =>
        InterviewDetails.Create(_applicationId, _type, _duration, _location, _interviewers, _timezone, _reminderMinutesBefore);

    /// <summary>Schedules at <see cref="ScheduledOn"/> (the result may be a failure).</summary>
    public Result<Interview> TrySchedule()
    {
        var details = Details();
        return details.IsSuccess
            ? Interview.Schedule(Guid.NewGuid(), _userId, details.Value, _scheduledAt, ScheduledOn, _invitation)
            : details.Error!;
    }

    /// <summary>An interview in <paramref name="status"/>, reached by the domain's own commands, with its events cleared.</summary>
    public Interview Build(InterviewStatus status = InterviewStatus.Scheduled)
    {
        var interview = Succeeded(TrySchedule());
        Now = ScheduledOn.AddMinutes(1);
        switch (status)
        {
            case InterviewStatus.Scheduled:
                break;
            case InterviewStatus.Prepared:
                Succeeded(interview.Prepare("Read the product docs", true, true, false, Now));
                break;
            case InterviewStatus.Rescheduled:
                Succeeded(interview.Reschedule(_scheduledAt.AddDays(1), "Conflict", RescheduleInitiator.Company, Now));
                break;
            case InterviewStatus.Completed:
                Now = interview.ScheduledAt.AddHours(2);
                Succeeded(interview.Complete(interview.ScheduledAt.AddHours(1), 55, 4, "Went well", "Wait for feedback", true, Now));
                break;
            case InterviewStatus.Cancelled:
                Succeeded(interview.Cancel(Now));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(status));
        }

        Now = Now.AddMinutes(1);
        interview.ClearPendingEvents();
        return interview;
    }

    private static T Succeeded<T>(Result<T> result) =>
        result.IsSuccess ? result.Value : throw new InvalidOperationException($"Builder step failed: {result.Error}");

    private static void Succeeded(Result result)
    {
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"Builder step failed: {result.Error}");
        }
    }
}
