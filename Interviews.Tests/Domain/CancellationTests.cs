using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>Cancelling an open interview, once; a cancelled interview stays readable.</summary>
public sealed class CancellationTests
{
    private readonly InterviewBuilder _builder = new();

    [Theory]
    [InlineData(InterviewStatus.Scheduled)]
    [InlineData(InterviewStatus.Prepared)]
    [InlineData(InterviewStatus.Rescheduled)]
    public void Cancelling_records_InterviewCancelled_with_the_previous_status(InterviewStatus status)
    {
        var interview = _builder.Build(status);

        DomainAssert.Succeeded(interview.Cancel(_builder.Now));

        Assert.Equal(InterviewStatus.Cancelled, interview.Status);
        Assert.Equal(_builder.Now, interview.UpdatedAt);
        var cancelled = DomainAssert.SingleEvent<InterviewCancelled>(interview);
        Assert.Equal(interview.Id, cancelled.InterviewId);
        Assert.Equal(interview.UserId, cancelled.UserId);
        Assert.Equal(status, cancelled.PreviousStatus);
        Assert.Equal(interview.ScheduledAt, cancelled.ScheduledAt);
        Assert.Equal(_builder.Now, cancelled.CancelledAt);
    }

    [Fact]
    public void Cancelling_again_succeeds_without_a_new_event_or_a_change()
    {
        var interview = _builder.Build();
        DomainAssert.Succeeded(interview.Cancel(_builder.Now));
        var before = DomainAssert.Json(interview);

        DomainAssert.Succeeded(interview.Cancel(_builder.Now.AddHours(1)));

        Assert.IsType<InterviewCancelled>(Assert.Single(interview.PendingEvents));
        Assert.Equal(before, DomainAssert.Json(interview));
    }

    [Fact]
    public void A_cancelled_interview_keeps_everything_it_held()
    {
        var interview = _builder.Build(InterviewStatus.Prepared);
        DomainAssert.Succeeded(interview.Reschedule(interview.ScheduledAt.AddDays(1), "Conflict", RescheduleInitiator.Candidate, _builder.Now));
        var scheduledAt = interview.ScheduledAt;

        DomainAssert.Succeeded(interview.Cancel(_builder.Now));

        Assert.Equal(scheduledAt, interview.ScheduledAt);
        Assert.Equal("Read the product docs", interview.PreparationNotes);
        Assert.Single(interview.RescheduleHistory);
        Assert.Equal(["Jane Smith", "John Doe"], interview.Interviewers);
    }

    [Fact]
    public void Cancelling_a_completed_interview_is_refused()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Cancel(_builder.Now));

        DomainAssert.InvalidState(error, "cancel-not-allowed");
    }

    [Fact]
    public void Cancelling_an_interview_whose_time_has_passed_is_allowed()
    {
        var interview = _builder.Build();

        DomainAssert.Succeeded(interview.Cancel(interview.ScheduledAt.AddDays(1)));

        Assert.Equal(InterviewStatus.Cancelled, interview.Status);
    }
}
