namespace Interviews.Domain;

/// <summary>The commands that change an existing interview.</summary>
public enum InterviewCommand
{
    Prepare,
    Complete,
    Reschedule,
    RecordThankYouNote,
    UpdateDetails,
    Cancel,
    RecordOutcome,
}

/// <summary>What a command may do from a status.</summary>
public enum Transition
{
    /// <summary>The command runs and records its event.</summary>
    Allowed,
    /// <summary>The command has nothing left to do (cancelling a cancelled interview): success, no event.</summary>
    AlreadyDone,
    /// <summary>The command is refused with <see cref="ErrorKind.InvalidState"/>.</summary>
    Forbidden,
}

/// <summary>
/// Every allowed move of the status machine, in one table. Open interviews (scheduled, prepared or
/// rescheduled) can be prepared, completed, rescheduled, edited and cancelled; a completed one can
/// only get its thank-you note and its outcome; a cancelled one is final.
/// </summary>
public static class InterviewTransitions
{
    private const Transition A = Transition.Allowed, F = Transition.Forbidden, D = Transition.AlreadyDone;

    //                                             Prepare Complete Reschedule ThankYou Update Cancel Outcome
    private static readonly Dictionary<InterviewStatus, Transition[]> Table = new()
    {
        [InterviewStatus.Scheduled] = [A, A, A, F, A, A, F],
        [InterviewStatus.Prepared] = [A, A, A, F, A, A, F],
        [InterviewStatus.Rescheduled] = [A, A, A, F, A, A, F],
        [InterviewStatus.Completed] = [F, F, F, A, F, F, A],
        [InterviewStatus.Cancelled] = [F, F, F, F, F, D, F],
    };

    public static Transition For(InterviewStatus status, InterviewCommand command) => Table[status][(int)command];

    /// <summary>True while the interview still lies ahead of the candidate (not completed, not cancelled).</summary>
    public static bool IsOpen(InterviewStatus status) =>
        status is InterviewStatus.Scheduled or InterviewStatus.Prepared or InterviewStatus.Rescheduled;
}
