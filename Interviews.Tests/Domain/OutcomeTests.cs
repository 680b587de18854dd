using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>Recording the outcome of a round: only once completed, replaced by a later one, decided between the interview and now.</summary>
public sealed class OutcomeTests
{
    private readonly InterviewBuilder _builder = new();

    [Theory]
    [InlineData(InterviewStatus.Scheduled)]
    [InlineData(InterviewStatus.Prepared)]
    [InlineData(InterviewStatus.Rescheduled)]
    [InlineData(InterviewStatus.Cancelled)]
    public void An_outcome_before_completion_is_refused(InterviewStatus status)
    {
        var interview = _builder.Build(status);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordOutcome(InterviewOutcome.Advanced, null, null, _builder.Now));

        DomainAssert.InvalidState(error, "interview-not-completed");
    }

    [Fact]
    public void An_outcome_is_recorded_with_its_time_and_trimmed_notes_and_raises_InterviewOutcomeRecorded()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var decidedAt = interview.CompletedAt!.Value.AddMinutes(30);

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Advanced, decidedAt, "  Onsite next week ", _builder.Now));

        Assert.Equal(InterviewStatus.Completed, interview.Status);
        Assert.Equal(InterviewOutcome.Advanced, interview.Outcome);
        Assert.Equal(decidedAt, interview.DecidedAt);
        Assert.Equal("Onsite next week", interview.OutcomeNotes);
        Assert.Equal(_builder.Now, interview.UpdatedAt);
        var recorded = DomainAssert.SingleEvent<InterviewOutcomeRecorded>(interview);
        Assert.Equal((interview.Id, interview.UserId, InterviewOutcome.Advanced, (InterviewOutcome?)null, decidedAt, "Onsite next week", _builder.Now),
            (recorded.InterviewId, recorded.UserId, recorded.Outcome, recorded.PreviousOutcome, recorded.DecidedAt, recorded.Notes, recorded.RecordedAt));
    }

    [Fact]
    public void A_decision_time_defaults_to_now()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Rejected, null, null, _builder.Now));

        Assert.Equal(_builder.Now, interview.DecidedAt);
    }

    [Fact]
    public void A_later_outcome_replaces_the_earlier_and_raises_the_event_again_naming_what_it_replaced()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.NoDecision, null, null, _builder.Now));
        interview.ClearPendingEvents();

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Offer, null, "Verbal offer", _builder.Now.AddDays(3)));

        Assert.Equal(InterviewOutcome.Offer, interview.Outcome);
        Assert.Equal(_builder.Now.AddDays(3), interview.DecidedAt);
        var recorded = DomainAssert.SingleEvent<InterviewOutcomeRecorded>(interview);
        Assert.Equal(InterviewOutcome.NoDecision, recorded.PreviousOutcome);
        Assert.Equal(InterviewOutcome.Offer, recorded.Outcome);
    }

    [Fact]
    public void Recording_the_same_outcome_again_changes_nothing()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var decidedAt = _builder.Now.AddMinutes(-5);
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Offer, decidedAt, "Offer", _builder.Now));
        interview.ClearPendingEvents();
        var before = DomainAssert.Json(interview);

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Offer, decidedAt, " Offer ", _builder.Now.AddHours(1)));

        Assert.Empty(interview.PendingEvents);
        Assert.Equal(before, DomainAssert.Json(interview));
    }

    [Fact]
    public void The_same_outcome_again_without_a_time_keeps_the_time_it_was_decided_and_changes_nothing()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Advanced, null, "Onsite next", _builder.Now));
        interview.ClearPendingEvents();
        var before = DomainAssert.Json(interview);

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Advanced, null, "Onsite next", _builder.Now.AddHours(2)));
        Assert.Empty(interview.PendingEvents);
        Assert.Equal(before, DomainAssert.Json(interview));

        // Notes edited later: still decided when it was.
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Advanced, null, "Onsite on Tuesday", _builder.Now.AddHours(3)));
        Assert.Equal(_builder.Now, DomainAssert.SingleEvent<InterviewOutcomeRecorded>(interview).DecidedAt);
        Assert.Equal(_builder.Now, interview.DecidedAt);
    }

    [Fact]
    public void The_same_outcome_with_other_notes_is_a_change()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var decidedAt = _builder.Now.AddMinutes(-5);
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Rejected, decidedAt, null, _builder.Now));
        interview.ClearPendingEvents();

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Rejected, decidedAt, "They chose an internal candidate", _builder.Now));

        Assert.Equal(InterviewOutcome.Rejected, DomainAssert.SingleEvent<InterviewOutcomeRecorded>(interview).PreviousOutcome);
    }

    [Fact]
    public void A_decision_at_the_interviews_start_and_at_now_plus_the_clock_skew_is_accepted()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Advanced, interview.ScheduledAt, null, _builder.Now));
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Offer, _builder.Now + Interview.DecisionClockSkew, null, _builder.Now));
    }

    [Fact]
    public void A_decision_before_the_interview_started_is_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordOutcome(InterviewOutcome.Advanced, interview.ScheduledAt.AddSeconds(-1), null, _builder.Now));

        DomainAssert.InvalidFields(error, "decidedAt");
    }

    [Fact]
    public void A_decision_further_in_the_future_than_the_clock_skew_is_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.RecordOutcome(InterviewOutcome.Advanced, _builder.Now + Interview.DecisionClockSkew + TimeSpan.FromSeconds(1), null, _builder.Now));

        DomainAssert.InvalidFields(error, "decidedAt");
    }

    [Fact]
    public void A_rescheduled_interview_held_at_an_earlier_slot_may_be_decided_from_that_slot()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        var original = interview.ScheduledAt;
        DomainAssert.Succeeded(interview.Reschedule(original.AddDays(2), null, RescheduleInitiator.Company, builder.Now));
        // Held at the first slot after all: completed an hour after it, before the slot it was moved to.
        DomainAssert.Succeeded(interview.Complete(original.AddHours(1), null, null, null, null, false, original.AddHours(2)));

        Assert.Equal(original.AddHours(1), interview.HeldAt);
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Advanced, original.AddHours(1.5), null, original.AddHours(2)));
    }

    [Fact]
    public void Notes_of_10001_characters_are_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Advanced, null, new string('n', InterviewLimits.MaxOutcomeNotes), _builder.Now));
        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordOutcome(InterviewOutcome.Rejected, null, new string('n', InterviewLimits.MaxOutcomeNotes + 1), _builder.Now));

        DomainAssert.InvalidFields(error, "notes");
    }

    [Theory]
    [InlineData(InterviewOutcome.Advanced, true, true)]
    [InlineData(InterviewOutcome.Offer, true, true)]
    [InlineData(InterviewOutcome.Rejected, true, false)]
    [InlineData(InterviewOutcome.Withdrawn, false, false)]
    [InlineData(InterviewOutcome.NoDecision, false, false)]
    public void Only_the_companys_decisions_count_and_advanced_and_offer_advance(InterviewOutcome outcome, bool decided, bool advancing)
    {
        Assert.Equal(decided, InterviewOutcomes.IsDecided(outcome));
        Assert.Equal(advancing, InterviewOutcomes.IsAdvancing(outcome));
    }
}
