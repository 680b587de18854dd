using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>Moving an interview: to a new future time, keeping a history entry per move.</summary>
public sealed class RescheduleTests
{
    private readonly InterviewBuilder _builder = new();

    [Fact]
    public void Rescheduling_moves_the_interview_and_adds_one_history_entry()
    {
        var interview = _builder.Build();
        var previous = interview.ScheduledAt;
        var newTime = previous.AddDays(2);

        DomainAssert.Succeeded(interview.Reschedule(newTime, "  Scheduling conflict ", RescheduleInitiator.Candidate, _builder.Now));

        Assert.Equal(newTime, interview.ScheduledAt);
        Assert.Equal(InterviewStatus.Rescheduled, interview.Status);
        Assert.Equal(_builder.Now, interview.UpdatedAt);
        var entry = Assert.Single(interview.RescheduleHistory);
        Assert.Equal(new RescheduleEvent(previous, newTime, _builder.Now, "Scheduling conflict", RescheduleInitiator.Candidate), entry);
    }

    [Fact]
    public void Rescheduling_records_InterviewRescheduled_with_both_times()
    {
        var interview = _builder.Build();
        var previous = interview.ScheduledAt;
        var newTime = previous.AddDays(2);

        DomainAssert.Succeeded(interview.Reschedule(newTime, null, RescheduleInitiator.Company, _builder.Now));

        var rescheduled = DomainAssert.SingleEvent<InterviewRescheduled>(interview);
        Assert.Equal(interview.Id, rescheduled.InterviewId);
        Assert.Equal(interview.UserId, rescheduled.UserId);
        Assert.Equal(previous, rescheduled.PreviousDateTime);
        Assert.Equal(newTime, rescheduled.NewDateTime);
        Assert.Equal(_builder.Now, rescheduled.RescheduledAt);
        Assert.Null(rescheduled.Reason);
        Assert.Equal(RescheduleInitiator.Company, rescheduled.InitiatedBy);
    }

    [Fact]
    public void Rescheduling_to_the_current_time_is_rejected()
    {
        var interview = _builder.Build();

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Reschedule(_builder.Now, null, RescheduleInitiator.Candidate, _builder.Now));

        DomainAssert.InvalidFields(error, "newDateTime");
    }

    [Fact]
    public void Rescheduling_into_the_past_is_rejected()
    {
        var interview = _builder.Build();

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Reschedule(_builder.Now.AddDays(-1), null, RescheduleInitiator.Candidate, _builder.Now));

        DomainAssert.InvalidFields(error, "newDateTime");
    }

    [Fact]
    public void Rescheduling_one_tick_into_the_future_is_accepted()
    {
        var interview = _builder.Build();

        DomainAssert.Succeeded(interview.Reschedule(_builder.Now.AddTicks(1), null, RescheduleInitiator.Candidate, _builder.Now));

        Assert.Equal(_builder.Now.AddTicks(1), interview.ScheduledAt);
    }

    [Fact]
    public void Rescheduling_further_ahead_than_the_maximum_is_rejected()
    {
        var interview = _builder.Build();
        var tooFar = _builder.Now + Interview.MaxScheduleAhead + TimeSpan.FromTicks(1);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Reschedule(tooFar, null, RescheduleInitiator.Candidate, _builder.Now));

        DomainAssert.InvalidFields(error, "newDateTime");
    }

    [Fact]
    public void Rescheduling_to_the_time_it_already_has_is_rejected()
    {
        var interview = _builder.Build();

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.Reschedule(i.ScheduledAt.ToOffset(TimeSpan.FromHours(2)), null, RescheduleInitiator.Candidate, _builder.Now));

        DomainAssert.InvalidFields(error, "newDateTime");
    }

    [Fact]
    public void A_reason_of_500_characters_is_accepted()
    {
        var interview = _builder.Build();
        var reason = new string('r', 500);

        DomainAssert.Succeeded(interview.Reschedule(interview.ScheduledAt.AddDays(1), reason, RescheduleInitiator.Candidate, _builder.Now));

        Assert.Equal(reason, Assert.Single(interview.RescheduleHistory).Reason);
    }

    [Fact]
    public void A_reason_of_501_characters_is_rejected()
    {
        var interview = _builder.Build();

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.Reschedule(i.ScheduledAt.AddDays(1), new string('r', 501), RescheduleInitiator.Candidate, _builder.Now));

        DomainAssert.InvalidFields(error, "reason");
    }

    [Fact]
    public void A_blank_reason_is_no_reason()
    {
        var interview = _builder.Build();

        DomainAssert.Succeeded(interview.Reschedule(interview.ScheduledAt.AddDays(1), "   ", RescheduleInitiator.Candidate, _builder.Now));

        Assert.Null(Assert.Single(interview.RescheduleHistory).Reason);
    }

    [Fact]
    public void An_interview_whose_time_has_passed_can_still_be_moved_to_the_future()
    {
        var interview = _builder.Build();
        var missed = interview.ScheduledAt;
        var now = missed.AddDays(1);

        DomainAssert.Succeeded(interview.Reschedule(now.AddDays(1), "Recruiter no-show", RescheduleInitiator.Company, now));

        Assert.Equal(now.AddDays(1), interview.ScheduledAt);
        Assert.Equal(missed, Assert.Single(interview.RescheduleHistory).PreviousDateTime);
    }

    [Fact]
    public void A_prepared_interview_keeps_its_preparation_when_moved()
    {
        var interview = _builder.Build(InterviewStatus.Prepared);

        DomainAssert.Succeeded(interview.Reschedule(interview.ScheduledAt.AddDays(1), null, RescheduleInitiator.Candidate, _builder.Now));

        Assert.Equal(InterviewStatus.Rescheduled, interview.Status);
        Assert.Equal("Read the product docs", interview.PreparationNotes);
        Assert.True(interview.ResearchCompleted);
        Assert.True(interview.QuestionsPrepped);
        Assert.False(interview.MaterialsGathered);
    }

    [Fact]
    public void Rescheduling_leaves_the_details_alone()
    {
        var interview = _builder.Build();
        var details = DomainAssert.Succeeded(_builder.Details());

        DomainAssert.Succeeded(interview.Reschedule(interview.ScheduledAt.AddDays(1), null, RescheduleInitiator.Candidate, _builder.Now));

        Assert.Equal(details.Duration, interview.Duration);
        Assert.Equal(details.Location, interview.Location);
        Assert.Equal(details.Interviewers, interview.Interviewers);
        Assert.Equal(details.Timezone.Id, interview.Timezone.Id);
    }

    [Fact]
    public void Three_reschedules_leave_a_history_of_three_in_order()
    {
        var interview = _builder.Build();
        var original = interview.ScheduledAt;
        var first = original.AddDays(1);
        var second = original.AddDays(-1);
        var third = original.AddDays(4);
        var now = _builder.Now;

        DomainAssert.Succeeded(interview.Reschedule(first, "one", RescheduleInitiator.Candidate, now));
        DomainAssert.Succeeded(interview.Reschedule(second, "two", RescheduleInitiator.Company, now.AddMinutes(1)));
        DomainAssert.Succeeded(interview.Reschedule(third, null, RescheduleInitiator.Candidate, now.AddMinutes(2)));

        Assert.Equal(
            [
                new RescheduleEvent(original, first, now, "one", RescheduleInitiator.Candidate),
                new RescheduleEvent(first, second, now.AddMinutes(1), "two", RescheduleInitiator.Company),
                new RescheduleEvent(second, third, now.AddMinutes(2), null, RescheduleInitiator.Candidate),
            ],
            interview.RescheduleHistory);
        Assert.Equal(third, interview.ScheduledAt);
        Assert.Equal(second, interview.EarliestScheduledAt);
        Assert.Equal(3, interview.PendingEvents.OfType<InterviewRescheduled>().Count());
    }
}
