namespace Interviews.Domain;

/// <summary>
/// An interview for one of a candidate's job applications: the aggregate. Every change goes through
/// a method named for the domain verb, which checks <see cref="InterviewTransitions"/> and the rules,
/// changes state and records one event in <see cref="PendingEvents"/>; a refused command changes nothing.
/// Instants are UTC; <see cref="Timezone"/> is the zone the interview happens in.
/// </summary>
public sealed class Interview
{
    /// <summary>How far ahead an interview may be put; a guard against typos such as year 2062.</summary>
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(5 * 366);

    /// <summary>
    /// How far in the future a decision time may lie: a client's clock a little ahead of the server's
    /// (a decision "just now" sent from a phone) is not an error, a decision next week is.
    /// </summary>
    public static readonly TimeSpan DecisionClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The same for a missing interview and for another user's, so that no one learns which ids exist.</summary>
    public static Error NotFound { get; } = Error.NotFound("No interview with this id.");

    private readonly List<RescheduleEvent> _rescheduleHistory = [];
    private readonly List<IDomainEvent> _pendingEvents = [];
    private InterviewDetails _details = null!;

    private Interview()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public Guid ApplicationId => _details.ApplicationId;

    public InterviewType InterviewType => _details.InterviewType;

    public InterviewStatus Status { get; private set; }

    public DateTimeOffset ScheduledAt { get; private set; }

    public int Duration => _details.Duration;

    public string? Location => _details.Location;

    public IReadOnlyList<string> Interviewers => _details.Interviewers;

    public IanaTimeZone Timezone => _details.Timezone;

    /// <inheritdoc cref="InterviewDetails.ReminderMinutesBefore"/>
    public IReadOnlyList<int>? ReminderMinutesBefore => _details.ReminderMinutesBefore;

    public DateTimeOffset? CompletedAt { get; private set; }

    public int? ActualDuration { get; private set; }

    public int? PerformanceRating { get; private set; }

    public string? InterviewNotes { get; private set; }

    public string? NextSteps { get; private set; }

    public bool FollowUpRequired { get; private set; }

    public string? PreparationNotes { get; private set; }

    public bool ResearchCompleted { get; private set; }

    public bool QuestionsPrepped { get; private set; }

    public bool MaterialsGathered { get; private set; }

    /// <summary>The questions the candidate expects, with their answer notes, in the order given.</summary>
    public IReadOnlyList<PreparationQuestion> PreparationQuestions { get; private set; } = [];

    public bool ThankYouNoteSent { get; private set; }

    public DateTimeOffset? ThankYouSentAt { get; private set; }

    public IReadOnlyList<string> ThankYouRecipients { get; private set; } = [];

    public ThankYouMethod? ThankYouMethod { get; private set; }

    public string? ThankYouNotes { get; private set; }

    public IReadOnlyList<RescheduleEvent> RescheduleHistory => _rescheduleHistory;

    /// <summary>The calendar invitation the interview was imported from, at the revision last applied; null when it was entered by hand.</summary>
    public Invitation? Invitation { get; private set; }

    /// <summary>The questions the candidate was asked, as recorded at completion (suggested when preparing the application's later interviews).</summary>
    public IReadOnlyList<string> QuestionsAsked { get; private set; } = [];

    /// <summary>What came of the round; null until recorded (only a completed interview has one).</summary>
    public InterviewOutcome? Outcome { get; private set; }

    /// <summary>When the outcome was decided (told to the candidate); set with <see cref="Outcome"/>.</summary>
    public DateTimeOffset? DecidedAt { get; private set; }

    public string? OutcomeNotes { get; private set; }

    /// <summary>
    /// When the interview took place, as well as the service knows it: its scheduled time, or the
    /// completion time when that came earlier (a rescheduled interview held at one of its earlier
    /// slots). Null until completed.
    /// </summary>
    public DateTimeOffset? HeldAt => CompletedAt is { } completed ? (completed < ScheduledAt ? completed : ScheduledAt) : null;

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>How many changes the interview has had (1 once scheduled); calendars use it as the event's SEQUENCE.</summary>
    public int Version { get; private set; }

    /// <summary>The events recorded since the interview was loaded; the store saves them with the change.</summary>
    public IReadOnlyList<IDomainEvent> PendingEvents => _pendingEvents;

    /// <summary>
    /// The earliest time the interview was ever set for. Completion is checked against it, which is how
    /// this service reads "cannot complete before the scheduled time (unless rescheduled)": a rescheduled
    /// interview may have taken place at one of its earlier times.
    /// </summary>
    public DateTimeOffset EarliestScheduledAt =>
        _rescheduleHistory.Count == 0 ? ScheduledAt : _rescheduleHistory.Select(r => r.PreviousDateTime).Append(ScheduledAt).Min();

    /// <param name="invitation">The invitation the interview comes from, when it was imported from one.</param>
    public static Result<Interview> Schedule(Guid id, Guid userId, InterviewDetails details, DateTimeOffset scheduledAt, DateTimeOffset now, Invitation? invitation = null)
    {
        if (CheckFutureTime(scheduledAt, now, "scheduledAt") is { } error)
        {
            return error;
        }

        var interview = new Interview
        {
            Id = id,
            UserId = userId,
            _details = details,
            Status = InterviewStatus.Scheduled,
            ScheduledAt = scheduledAt.ToUniversalTime(),
            CreatedAt = now,
            UpdatedAt = now,
            Invitation = invitation,
        };
        interview.Record(new InterviewScheduled(
            NewEventId(now), id, userId, details.ApplicationId, details.InterviewType, interview.ScheduledAt,
            details.Duration, details.Location, details.Interviewers, details.Timezone.Id, now));
        return interview;
    }

    /// <summary>
    /// Records the preparation; it replaces the previous one, so questions left out are dropped.
    /// <paramref name="questions"/>: at most 50, each a non-blank question of at most 1,000 characters
    /// with answer notes of at most 4,000.
    /// </summary>
    public Result Prepare(
        string? preparationNotes,
        bool researchCompleted,
        bool questionsPrepped,
        bool materialsGathered,
        DateTimeOffset now,
        IReadOnlyList<PreparationQuestionInput?>? questions = null)
    {
        if (Refusal(InterviewCommand.Prepare) is { } refused)
        {
            return refused;
        }

        var errors = new ValidationErrors();
        var notes = Text.OrNull(preparationNotes);
        if (notes?.Length > InterviewLimits.MaxPreparationNotes)
        {
            errors.Add("preparationNotes", $"Preparation notes must be at most {InterviewLimits.MaxPreparationNotes} characters.");
        }

        var cleanQuestions = CheckQuestions(questions, errors);
        if (errors.Any)
        {
            return errors.ToError();
        }

        PreparationNotes = notes;
        ResearchCompleted = researchCompleted;
        QuestionsPrepped = questionsPrepped;
        MaterialsGathered = materialsGathered;
        PreparationQuestions = cleanQuestions;
        Status = InterviewStatus.Prepared;
        Touch(now);
        Record(new InterviewPrepared(NewEventId(now), Id, UserId, now, notes ?? "", researchCompleted, questionsPrepped, materialsGathered, cleanQuestions));
        return Result.Success;
    }

    private static List<PreparationQuestion> CheckQuestions(IReadOnlyList<PreparationQuestionInput?>? questions, ValidationErrors errors)
    {
        var clean = new List<PreparationQuestion>();
        if (questions is null)
        {
            return clean;
        }

        if (questions.Count > InterviewLimits.MaxPreparationQuestions)
        {
            errors.Add("questions", $"At most {InterviewLimits.MaxPreparationQuestions} questions.");
        }

        for (var i = 0; i < questions.Count; i++)
        {
            if (questions[i] is not { } input)
            {
                errors.Add($"questions[{i}]", "A question must be an object with a 'question'.");
                continue;
            }

            var question = Text.OrNull(input.Question);
            var answer = Text.OrNull(input.AnswerNotes);
            if (question is null)
            {
                errors.Add($"questions[{i}].question", "The question is required.");
            }
            else if (question.Length > InterviewLimits.MaxPreparationQuestion)
            {
                errors.Add($"questions[{i}].question", $"A question must be at most {InterviewLimits.MaxPreparationQuestion} characters.");
            }

            if (answer?.Length > InterviewLimits.MaxAnswerNotes)
            {
                errors.Add($"questions[{i}].answerNotes", $"Answer notes must be at most {InterviewLimits.MaxAnswerNotes} characters.");
            }

            if (question is not null)
            {
                clean.Add(new PreparationQuestion(question, answer));
            }
        }

        return clean;
    }

    public Result Complete(
        DateTimeOffset? completedAt,
        int? actualDuration,
        int? performanceRating,
        string? interviewNotes,
        string? nextSteps,
        bool followUpRequired,
        DateTimeOffset now,
        IReadOnlyList<string?>? questionsAsked = null)
    {
        if (Refusal(InterviewCommand.Complete) is { } refused)
        {
            return refused;
        }

        var earliest = EarliestScheduledAt;
        if (now < earliest)
        {
            return Error.InvalidState(
                "interview-not-started",
                $"The interview cannot be completed before its scheduled time ({earliest.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}).");
        }

        var completed = (completedAt ?? now).ToUniversalTime();
        var errors = new ValidationErrors();
        if (completed > now)
        {
            errors.Add("completedAt", "The completion time cannot be in the future.");
        }
        else if (completed < earliest)
        {
            errors.Add("completedAt", $"The completion time cannot be before the scheduled time ({earliest.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}).");
        }

        if (actualDuration is < InterviewLimits.MinActualDuration or > InterviewLimits.MaxActualDuration)
        {
            errors.Add("actualDuration", $"The actual duration must be between {InterviewLimits.MinActualDuration} and {InterviewLimits.MaxActualDuration} minutes.");
        }

        if (performanceRating is < InterviewLimits.MinRating or > InterviewLimits.MaxRating)
        {
            errors.Add("performanceRating", $"The performance rating must be between {InterviewLimits.MinRating} and {InterviewLimits.MaxRating}.");
        }

        var notes = Text.OrNull(interviewNotes);
        if (notes?.Length > InterviewLimits.MaxInterviewNotes)
        {
            errors.Add("interviewNotes", $"Interview notes must be at most {InterviewLimits.MaxInterviewNotes} characters.");
        }

        var steps = Text.OrNull(nextSteps);
        if (steps?.Length > InterviewLimits.MaxNextSteps)
        {
            errors.Add("nextSteps", $"Next steps must be at most {InterviewLimits.MaxNextSteps} characters.");
        }

        var asked = CheckQuestionsAsked(questionsAsked, errors);
        if (errors.Any)
        {
            return errors.ToError();
        }

        CompletedAt = completed;
        QuestionsAsked = asked;
        ActualDuration = actualDuration;
        PerformanceRating = performanceRating;
        InterviewNotes = notes;
        NextSteps = steps;
        FollowUpRequired = followUpRequired;
        Status = InterviewStatus.Completed;
        Touch(now);
        Record(new InterviewCompleted(NewEventId(now), Id, UserId, completed, actualDuration, performanceRating, notes ?? "", steps, followUpRequired, now, asked));
        return Result.Success;
    }

    /// <summary>The debrief's questions: the limits of the preparation's questions (at most 50, each non-blank and at most 1,000 characters), trimmed, in the order given.</summary>
    private static List<string> CheckQuestionsAsked(IReadOnlyList<string?>? questions, ValidationErrors errors)
    {
        var clean = new List<string>();
        if (questions is null)
        {
            return clean;
        }

        if (questions.Count > InterviewLimits.MaxPreparationQuestions)
        {
            errors.Add("questionsAsked", $"At most {InterviewLimits.MaxPreparationQuestions} questions.");
        }

        for (var i = 0; i < questions.Count; i++)
        {
            var question = Text.OrNull(questions[i]);
            if (question is null)
            {
                errors.Add($"questionsAsked[{i}]", "A question must not be empty.");
            }
            else if (question.Length > InterviewLimits.MaxPreparationQuestion)
            {
                errors.Add($"questionsAsked[{i}]", $"A question must be at most {InterviewLimits.MaxPreparationQuestion} characters.");
            }
            else
            {
                clean.Add(question);
            }
        }

        return clean;
    }

    /// <summary>
    /// Records what came of a completed interview, replacing an earlier outcome (NoDecision → Offer).
    /// <paramref name="decidedAt"/> defaults to now; it may not be before the interview took place
    /// (<see cref="HeldAt"/>) nor later than now plus <see cref="DecisionClockSkew"/>. Recording the
    /// same outcome, time and notes again changes nothing.
    /// </summary>
    public Result RecordOutcome(InterviewOutcome outcome, DateTimeOffset? decidedAt, string? notes, DateTimeOffset now)
    {
        if (Refusal(InterviewCommand.RecordOutcome) is { } refused)
        {
            return refused;
        }

        var errors = new ValidationErrors();
        // Without a time, an unchanged outcome keeps the time it was decided (a repeated PUT, or notes
        // edited later, must not move the decision to now); a new outcome was decided now.
        var decided = (decidedAt ?? (Outcome == outcome ? DecidedAt : null) ?? now).ToUniversalTime();
        var heldAt = HeldAt!.Value;
        if (decided > now + DecisionClockSkew)
        {
            errors.Add("decidedAt", "The decision time cannot be in the future.");
        }
        else if (decided < heldAt)
        {
            errors.Add("decidedAt", $"The decision cannot come before the interview ({heldAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}).");
        }

        var cleanNotes = Text.OrNull(notes);
        if (cleanNotes?.Length > InterviewLimits.MaxOutcomeNotes)
        {
            errors.Add("notes", $"Notes must be at most {InterviewLimits.MaxOutcomeNotes} characters.");
        }

        if (!Enum.IsDefined(outcome))
        {
            errors.Add("outcome", $"The outcome must be one of {InterviewOutcomes.AllowedValues}.");
        }

        if (errors.Any)
        {
            return errors.ToError();
        }

        if (Outcome == outcome && DecidedAt == decided && OutcomeNotes == cleanNotes)
        {
            return Result.Success;
        }

        var previous = Outcome;
        Outcome = outcome;
        DecidedAt = decided;
        OutcomeNotes = cleanNotes;
        Touch(now);
        Record(new InterviewOutcomeRecorded(NewEventId(now), Id, UserId, outcome, previous, decided, cleanNotes, now));
        return Result.Success;
    }

    public Result Reschedule(DateTimeOffset newDateTime, string? reason, RescheduleInitiator initiatedBy, DateTimeOffset now)
    {
        if (Refusal(InterviewCommand.Reschedule) is { } refused)
        {
            return refused;
        }

        var errors = new ValidationErrors();
        var newTime = newDateTime.ToUniversalTime();
        errors.AddFrom(CheckFutureTime(newTime, now, "newDateTime"));
        if (newTime == ScheduledAt)
        {
            errors.Add("newDateTime", "The new time is the interview's current time.");
        }

        var cleanReason = Text.OrNull(reason);
        if (cleanReason?.Length > InterviewLimits.MaxReason)
        {
            errors.Add("reason", $"The reason must be at most {InterviewLimits.MaxReason} characters.");
        }

        if (errors.Any)
        {
            return errors.ToError();
        }

        var previous = ScheduledAt;
        _rescheduleHistory.Add(new RescheduleEvent(previous, newTime, now, cleanReason, initiatedBy));
        ScheduledAt = newTime;
        Status = InterviewStatus.Rescheduled;
        Touch(now);
        Record(new InterviewRescheduled(NewEventId(now), Id, UserId, previous, newTime, now, cleanReason, initiatedBy));
        return Result.Success;
    }

    public Result RecordThankYouNote(IReadOnlyList<string?>? recipients, ThankYouMethod method, string? notes, DateTimeOffset? sentAt, DateTimeOffset now)
    {
        if (Refusal(InterviewCommand.RecordThankYouNote) is { } refused)
        {
            return refused;
        }

        var errors = new ValidationErrors();
        var cleanRecipients = new List<string>();
        if (recipients is null || recipients.Count == 0)
        {
            errors.Add("recipients", "At least one recipient is required.");
        }
        else
        {
            if (recipients.Count > InterviewLimits.MaxRecipients)
            {
                errors.Add("recipients", $"At most {InterviewLimits.MaxRecipients} recipients.");
            }

            for (var i = 0; i < recipients.Count; i++)
            {
                var recipient = Text.OrNull(recipients[i]);
                if (recipient is null)
                {
                    errors.Add($"recipients[{i}]", "A recipient must not be empty.");
                }
                else if (recipient.Length > InterviewLimits.MaxRecipient)
                {
                    errors.Add($"recipients[{i}]", $"A recipient must be at most {InterviewLimits.MaxRecipient} characters.");
                }
                else
                {
                    cleanRecipients.Add(recipient);
                }
            }
        }

        var cleanNotes = Text.OrNull(notes);
        if (cleanNotes?.Length > InterviewLimits.MaxThankYouNotes)
        {
            errors.Add("notes", $"Notes must be at most {InterviewLimits.MaxThankYouNotes} characters.");
        }

        var sent = (sentAt ?? now).ToUniversalTime();
        if (sent > now)
        {
            errors.Add("sentAt", "The time the note was sent cannot be in the future.");
        }
        else if (sent < CompletedAt)
        {
            errors.Add("sentAt", "A thank-you note cannot be sent before the interview was completed.");
        }

        if (errors.Any)
        {
            return errors.ToError();
        }

        ThankYouNoteSent = true;
        ThankYouSentAt = sent;
        ThankYouRecipients = cleanRecipients;
        ThankYouMethod = method;
        ThankYouNotes = cleanNotes;
        Touch(now);
        Record(new ThankYouNoteSent(NewEventId(now), Id, UserId, sent, cleanRecipients, method, cleanNotes, now));
        return Result.Success;
    }

    /// <summary>Replaces the editable details. The time is not one of them: moving an interview is <see cref="Reschedule"/>, which keeps history.</summary>
    public Result UpdateDetails(InterviewDetails details, DateTimeOffset now)
    {
        if (Refusal(InterviewCommand.UpdateDetails) is { } refused)
        {
            return refused;
        }

        if (details.Equals(_details))
        {
            return Result.Success;
        }

        _details = details;
        Touch(now);
        Record(new InterviewDetailsUpdated(
            NewEventId(now), Id, UserId, details.InterviewType, details.Duration, details.Location, details.Interviewers, details.Timezone.Id, now));
        return Result.Success;
    }

    /// <summary>Cancels an open interview. It stays readable; cancelling it again is a success that changes nothing.</summary>
    public Result Cancel(DateTimeOffset now)
    {
        if (Refusal(InterviewCommand.Cancel) is { } refused)
        {
            return refused;
        }

        if (Status == InterviewStatus.Cancelled)
        {
            return Result.Success;
        }

        var previous = Status;
        Status = InterviewStatus.Cancelled;
        Touch(now);
        Record(new InterviewCancelled(NewEventId(now), Id, UserId, previous, ScheduledAt, now));
        return Result.Success;
    }

    /// <summary>
    /// Applies a revision of the invitation the interview was imported from. A revision already seen (an
    /// equal or lower SEQUENCE) changes nothing. A later one moves the interview when its start differs —
    /// a reschedule the company initiated, its reason saying so — and replaces the details with its own;
    /// both are refused in a status that refuses them, and nothing changes then.
    /// </summary>
    public Result ApplyInvitation(Invitation revision, InterviewDetails details, DateTimeOffset start, DateTimeOffset now)
    {
        if (!IsLaterRevision(revision))
        {
            return Result.Success;
        }

        var moves = start.ToUniversalTime() != ScheduledAt;
        if (Refusal(moves ? InterviewCommand.Reschedule : InterviewCommand.UpdateDetails) is { } refused)
        {
            return refused;
        }

        if (moves)
        {
            var moved = Reschedule(start, $"Moved by an updated calendar invitation from the company (SEQUENCE {revision.Sequence}).", RescheduleInitiator.Company, now);
            if (!moved.IsSuccess)
            {
                return moved;
            }
        }

        // Reschedule leaves the interview Rescheduled, where updating is allowed too. The reminder offsets
        // are the candidate's, not the company's: an invitation carries none, so the interview keeps its own.
        var updated = UpdateDetails(details.WithReminderMinutesBefore(ReminderMinutesBefore), now);
        if (updated.IsSuccess && _pendingEvents.Count > 0)
        {
            Invitation = revision;
        }

        return updated;
    }

    /// <summary>
    /// Cancels the interview for the invitation's CANCEL. A cancellation of an older revision than the one
    /// applied (a lower SEQUENCE) is stale and changes nothing; one of the same revision still cancels,
    /// because organizers' calendars do not all raise the SEQUENCE to cancel.
    /// </summary>
    public Result CancelFromInvitation(Invitation revision, DateTimeOffset now)
    {
        if (Invitation is null || revision.Uid != Invitation.Uid)
        {
            throw new ArgumentException("The cancellation is of another invitation.", nameof(revision));
        }

        if (revision.Sequence < Invitation.Sequence)
        {
            return Result.Success;
        }

        var cancelled = Cancel(now);
        if (cancelled.IsSuccess && _pendingEvents.Count > 0)
        {
            Invitation = revision;
        }

        return cancelled;
    }

    private bool IsLaterRevision(Invitation revision) =>
        Invitation is not null && revision.Uid == Invitation.Uid
            ? Invitation.IsSupersededBy(revision)
            : throw new ArgumentException("The revision is of another invitation.", nameof(revision));

    /// <summary>Forgets the recorded events once the store has saved them with the change.</summary>
    public void ClearPendingEvents() => _pendingEvents.Clear();

    public InterviewSnapshot ToSnapshot() => new(
        Id, UserId, ApplicationId, InterviewType, Status, ScheduledAt, Duration, Location, [.. Interviewers], Timezone.Id,
        CompletedAt, ActualDuration, PerformanceRating, InterviewNotes, NextSteps, FollowUpRequired,
        PreparationNotes, ResearchCompleted, QuestionsPrepped, MaterialsGathered,
        ThankYouNoteSent, ThankYouSentAt, [.. ThankYouRecipients], ThankYouMethod, ThankYouNotes,
        [.. _rescheduleHistory], CreatedAt, UpdatedAt, Version, [.. PreparationQuestions],
        Invitation is { } invitation ? new InvitationSnapshot(invitation.Uid, invitation.Sequence) : null,

        [.. QuestionsAsked], Outcome, DecidedAt, OutcomeNotes, ReminderMinutesBefore is { } offsets ? [.. offsets] : null);

    /// <summary>
    /// Rebuilds an interview from what the store saved. Saved state was valid when written, so rules are
    /// not re-checked; a timezone this machine no longer knows is a broken invariant and throws.
    /// </summary>
    public static Interview Restore(InterviewSnapshot s)
    {
        var zone = IanaTimeZone.Create(s.Timezone);
        if (!zone.IsSuccess)
        {
            throw new InvalidOperationException($"Interview {s.Id} has an unknown timezone '{s.Timezone}'.");
        }

        var interview = new Interview
        {
            Id = s.Id,
            UserId = s.UserId,
            _details = InterviewDetails.Restore(
                s.ApplicationId, s.InterviewType, s.Duration, s.Location, [.. s.Interviewers], zone.Value, s.ReminderMinutesBefore is { } offsets ? [.. offsets] : null),
            Status = s.Status,
            ScheduledAt = s.ScheduledAt,
            CompletedAt = s.CompletedAt,
            ActualDuration = s.ActualDuration,
            PerformanceRating = s.PerformanceRating,
            InterviewNotes = s.InterviewNotes,
            NextSteps = s.NextSteps,
            FollowUpRequired = s.FollowUpRequired,
            PreparationNotes = s.PreparationNotes,
            ResearchCompleted = s.ResearchCompleted,
            QuestionsPrepped = s.QuestionsPrepped,
            MaterialsGathered = s.MaterialsGathered,
            PreparationQuestions = [.. s.PreparationQuestions ?? []],
            QuestionsAsked = [.. s.QuestionsAsked ?? []],
            Outcome = s.Outcome,
            DecidedAt = s.DecidedAt,
            OutcomeNotes = s.OutcomeNotes,
            ThankYouNoteSent = s.ThankYouNoteSent,
            ThankYouSentAt = s.ThankYouSentAt,
            ThankYouRecipients = [.. s.ThankYouRecipients],
            ThankYouMethod = s.ThankYouMethod,
            ThankYouNotes = s.ThankYouNotes,
            CreatedAt = s.CreatedAt,
            UpdatedAt = s.UpdatedAt,
            Version = s.Version,
            Invitation = s.Invitation is { } invitation ? Invitation.Restore(invitation.Uid, invitation.Sequence) : null,
        };
        interview._rescheduleHistory.AddRange(s.RescheduleHistory);
        return interview;
    }

    private static Error? CheckFutureTime(DateTimeOffset time, DateTimeOffset now, string field)
    {
        if (time <= now)
        {
            return Error.Validation(field, "The time must be in the future.");
        }

        return time > now + MaxScheduleAhead
            ? Error.Validation(field, $"The time must be within {MaxScheduleAhead.Days / 366} years from now.")
            : null;
    }

    private static Guid NewEventId(DateTimeOffset now) => Guid.CreateVersion7(now);

    private static Error? Forbidden(InterviewStatus status, InterviewCommand command) =>
        InterviewTransitions.For(status, command) == Transition.Forbidden
            ? Error.InvalidState(
                $"{Kebab(command)}-not-allowed",
                $"Cannot {Describe(command)} an interview that is {status}.")
            : null;

    /// <summary>Why <paramref name="command"/> cannot run in the current state, or null when it can.</summary>
    public Error? Refusal(InterviewCommand command) => command switch
    {
        InterviewCommand.RecordThankYouNote when InterviewTransitions.For(Status, command) == Transition.Forbidden =>
            Error.InvalidState("interview-not-completed", $"A thank-you note can only be recorded once the interview is completed; it is {Status}."),
        InterviewCommand.RecordThankYouNote when ThankYouNoteSent =>
            Error.InvalidState("thank-you-already-recorded", "A thank-you note is already recorded for this interview."),
        InterviewCommand.RecordOutcome when InterviewTransitions.For(Status, command) == Transition.Forbidden =>
            Error.InvalidState("interview-not-completed", $"An outcome can only be recorded once the interview is completed; it is {Status}."),
        _ => Forbidden(Status, command),
    };


    private static string Describe(InterviewCommand command) => command switch
    {
        InterviewCommand.Prepare => "prepare",
        InterviewCommand.Complete => "complete",
        InterviewCommand.Reschedule => "reschedule",
        InterviewCommand.RecordThankYouNote => "record a thank-you note for",
        InterviewCommand.UpdateDetails => "update",
        InterviewCommand.Cancel => "cancel",
        InterviewCommand.RecordOutcome => "record the outcome of",
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    private static string Kebab(InterviewCommand command) => command switch
    {
        InterviewCommand.RecordThankYouNote => "thank-you",
        InterviewCommand.UpdateDetails => "update",
        InterviewCommand.RecordOutcome => "outcome",
        _ => command.ToString().ToLowerInvariant(),
    };

    private void Touch(DateTimeOffset now) => UpdatedAt = now;

    private void Record(IDomainEvent domainEvent)
    {
        Version++;
        _pendingEvents.Add(domainEvent);
    }
}

/// <summary>Everything an <see cref="Interview"/> holds, as plain data for the store to save and restore.</summary>
public sealed record InterviewSnapshot(
    Guid Id,
    Guid UserId,
    Guid ApplicationId,
    InterviewType InterviewType,
    InterviewStatus Status,
    DateTimeOffset ScheduledAt,
    int Duration,
    string? Location,
    IReadOnlyList<string> Interviewers,
    string Timezone,
    DateTimeOffset? CompletedAt,
    int? ActualDuration,
    int? PerformanceRating,
    string? InterviewNotes,
    string? NextSteps,
    bool FollowUpRequired,
    string? PreparationNotes,
    bool ResearchCompleted,
    bool QuestionsPrepped,
    bool MaterialsGathered,
    bool ThankYouNoteSent,
    DateTimeOffset? ThankYouSentAt,
    IReadOnlyList<string> ThankYouRecipients,
    ThankYouMethod? ThankYouMethod,
    string? ThankYouNotes,
    IReadOnlyList<RescheduleEvent> RescheduleHistory,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version = 0,
    IReadOnlyList<PreparationQuestion>? PreparationQuestions = null,
    InvitationSnapshot? Invitation = null,
    IReadOnlyList<string>? QuestionsAsked = null,
    InterviewOutcome? Outcome = null,
    DateTimeOffset? DecidedAt = null,
    string? OutcomeNotes = null,
    IReadOnlyList<int>? ReminderMinutesBefore = null);

/// <summary>The invitation an interview was imported from, as plain data in its snapshot.</summary>
public sealed record InvitationSnapshot(string Uid, int Sequence);
