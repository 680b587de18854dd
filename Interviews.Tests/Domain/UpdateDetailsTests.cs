using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>Editing an open interview's details; the time is not a detail (that is rescheduling).</summary>
public sealed class UpdateDetailsTests
{
    private readonly InterviewBuilder _builder = new();

    private static InterviewDetails ChangedDetails() => DomainAssert.Succeeded(new InterviewBuilder()
        .OfType("Panel").Lasting(120).At("Building 4, room 2").With("Ada Lovelace", "Alan Turing", "Grace Hopper").InZone("Europe/London")
        .Details());

    [Fact]
    public void Updating_replaces_the_details()
    {
        var interview = _builder.Build();

        DomainAssert.Succeeded(interview.UpdateDetails(ChangedDetails(), _builder.Now));

        Assert.Equal(InterviewType.Panel, interview.InterviewType);
        Assert.Equal(120, interview.Duration);
        Assert.Equal("Building 4, room 2", interview.Location);
        Assert.Equal(["Ada Lovelace", "Alan Turing", "Grace Hopper"], interview.Interviewers);
        Assert.Equal("Europe/London", interview.Timezone.Id);
        Assert.Equal(_builder.Now, interview.UpdatedAt);
    }

    [Fact]
    public void Updating_records_InterviewDetailsUpdated_with_the_new_details()
    {
        var interview = _builder.Build();

        DomainAssert.Succeeded(interview.UpdateDetails(ChangedDetails(), _builder.Now));

        var updated = DomainAssert.SingleEvent<InterviewDetailsUpdated>(interview);
        Assert.Equal(interview.Id, updated.InterviewId);
        Assert.Equal(interview.UserId, updated.UserId);
        Assert.Equal(InterviewType.Panel, updated.InterviewType);
        Assert.Equal(120, updated.Duration);
        Assert.Equal("Building 4, room 2", updated.Location);
        Assert.Equal(["Ada Lovelace", "Alan Turing", "Grace Hopper"], updated.Interviewers);
        Assert.Equal("Europe/London", updated.Timezone);
        Assert.Equal(_builder.Now, updated.UpdatedAt);
    }

    [Fact]
    public void Updating_to_identical_details_succeeds_without_an_event_or_a_change()
    {
        var interview = _builder.Build();
        var before = DomainAssert.Json(interview);
        var sameAgain = DomainAssert.Succeeded(_builder.Details());

        DomainAssert.Succeeded(interview.UpdateDetails(sameAgain, _builder.Now));

        Assert.Empty(interview.PendingEvents);
        Assert.Equal(before, DomainAssert.Json(interview));
    }

    [Fact]
    public void Changing_only_one_interviewer_is_a_change()
    {
        var interview = _builder.Build();
        var details = DomainAssert.Succeeded(new InterviewBuilder().With("Jane Smith", "Johnny Doe").Details());

        DomainAssert.Succeeded(interview.UpdateDetails(details, _builder.Now));

        Assert.Equal(["Jane Smith", "Johnny Doe"], DomainAssert.SingleEvent<InterviewDetailsUpdated>(interview).Interviewers);
    }

    [Fact]
    public void Reordering_the_interviewers_is_a_change()
    {
        var interview = _builder.Build();
        var details = DomainAssert.Succeeded(new InterviewBuilder().With("John Doe", "Jane Smith").Details());

        DomainAssert.Succeeded(interview.UpdateDetails(details, _builder.Now));

        Assert.Equal(["John Doe", "Jane Smith"], interview.Interviewers);
        Assert.Single(interview.PendingEvents);
    }

    [Fact]
    public void The_application_can_be_changed()
    {
        var interview = _builder.Build();
        var otherApplication = Guid.NewGuid();

        DomainAssert.Succeeded(interview.UpdateDetails(DomainAssert.Succeeded(new InterviewBuilder().ForApplication(otherApplication).Details()), _builder.Now));

        Assert.Equal(otherApplication, interview.ApplicationId);
        Assert.Single(interview.PendingEvents);
    }

    [Theory]
    [InlineData(InterviewStatus.Scheduled)]
    [InlineData(InterviewStatus.Prepared)]
    [InlineData(InterviewStatus.Rescheduled)]
    public void Updating_keeps_the_time_the_status_and_the_history(InterviewStatus status)
    {
        var interview = _builder.Build(status);
        var scheduledAt = interview.ScheduledAt;
        var history = interview.RescheduleHistory.ToArray();

        DomainAssert.Succeeded(interview.UpdateDetails(ChangedDetails(), _builder.Now));

        Assert.Equal(scheduledAt, interview.ScheduledAt);
        Assert.Equal(status, interview.Status);
        Assert.Equal(history, interview.RescheduleHistory);
    }

    [Theory]
    [InlineData(InterviewStatus.Completed)]
    [InlineData(InterviewStatus.Cancelled)]
    public void Updating_a_completed_or_cancelled_interview_is_refused(InterviewStatus status)
    {
        var interview = _builder.Build(status);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.UpdateDetails(ChangedDetails(), _builder.Now));

        DomainAssert.InvalidState(error, "update-not-allowed");
    }
}
