using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>Completing an interview: not before its (earliest) scheduled time, and the post-interview fields within bounds.</summary>
public sealed class CompletionTests
{
    private readonly InterviewBuilder _builder = new();
    private readonly Interview _interview;
    private readonly DateTimeOffset _scheduledAt;
    private readonly DateTimeOffset _afterwards;

    public CompletionTests()
    {
        _interview = _builder.Build(InterviewStatus.Prepared);
        _scheduledAt = _interview.ScheduledAt;
        _afterwards = _scheduledAt.AddHours(2);
    }

    [Fact]
    public void Completing_before_the_scheduled_time_is_refused_as_not_started()
    {
        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(null, 30, 3, null, null, false, _scheduledAt.AddTicks(-1)));

        DomainAssert.InvalidState(error, "interview-not-started");
    }

    [Fact]
    public void Completing_at_the_scheduled_time_is_allowed()
    {
        DomainAssert.Succeeded(_interview.Complete(_scheduledAt, null, null, null, null, false, _scheduledAt));

        Assert.Equal(InterviewStatus.Completed, _interview.Status);
        Assert.Equal(_scheduledAt, _interview.CompletedAt);
    }

    [Fact]
    public void A_completion_time_before_the_scheduled_time_is_rejected()
    {
        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(_scheduledAt.AddTicks(-1), null, null, null, null, false, _afterwards));

        DomainAssert.InvalidFields(error, "completedAt");
    }

    [Fact]
    public void A_completion_time_in_the_future_is_rejected()
    {
        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(_afterwards.AddTicks(1), null, null, null, null, false, _afterwards));

        DomainAssert.InvalidFields(error, "completedAt");
    }

    [Fact]
    public void A_completion_time_left_out_means_now()
    {
        DomainAssert.Succeeded(_interview.Complete(null, null, null, null, null, false, _afterwards));

        Assert.Equal(_afterwards, _interview.CompletedAt);
    }

    [Fact]
    public void A_completion_time_with_an_offset_is_kept_as_the_same_instant_in_UTC()
    {
        var inBerlin = _scheduledAt.AddHours(1).ToOffset(TimeSpan.FromHours(1));

        DomainAssert.Succeeded(_interview.Complete(inBerlin, null, null, null, null, false, _afterwards));

        Assert.Equal(inBerlin, _interview.CompletedAt);
        Assert.Equal(TimeSpan.Zero, _interview.CompletedAt!.Value.Offset);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(6)]
    public void A_rating_outside_1_to_5_is_rejected(int rating)
    {
        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(null, null, rating, null, null, false, _afterwards));

        DomainAssert.InvalidFields(error, "performanceRating");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(null)]
    public void A_rating_from_1_to_5_or_none_is_accepted(int? rating)
    {
        DomainAssert.Succeeded(_interview.Complete(null, null, rating, null, null, false, _afterwards));

        Assert.Equal(rating, _interview.PerformanceRating);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(0)]
    [InlineData(1441)]
    public void An_actual_duration_outside_1_to_1440_minutes_is_rejected(int minutes)
    {
        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(null, minutes, null, null, null, false, _afterwards));

        DomainAssert.InvalidFields(error, "actualDuration");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1440)]
    [InlineData(null)]
    public void An_actual_duration_from_1_to_1440_minutes_or_none_is_accepted(int? minutes)
    {
        DomainAssert.Succeeded(_interview.Complete(null, minutes, null, null, null, false, _afterwards));

        Assert.Equal(minutes, _interview.ActualDuration);
    }

    [Fact]
    public void Interview_notes_of_10000_characters_are_accepted()
    {
        var notes = new string('i', 10_000);

        DomainAssert.Succeeded(_interview.Complete(null, null, null, notes, null, false, _afterwards));

        Assert.Equal(notes, _interview.InterviewNotes);
    }

    [Fact]
    public void Interview_notes_of_10001_characters_are_rejected()
    {
        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(null, null, null, new string('i', 10_001), null, false, _afterwards));

        DomainAssert.InvalidFields(error, "interviewNotes");
    }

    [Fact]
    public void Next_steps_of_500_characters_are_accepted()
    {
        var steps = new string('s', 500);

        DomainAssert.Succeeded(_interview.Complete(null, null, null, null, steps, false, _afterwards));

        Assert.Equal(steps, _interview.NextSteps);
    }

    [Fact]
    public void Next_steps_of_501_characters_are_rejected()
    {
        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(null, null, null, null, new string('s', 501), false, _afterwards));

        DomainAssert.InvalidFields(error, "nextSteps");
    }

    [Fact]
    public void Every_invalid_completion_field_is_reported_at_once()
    {
        var error = DomainAssert.RefusedWithoutChange(
            _interview,
            i => i.Complete(_afterwards.AddMinutes(1), 0, 6, new string('i', 10_001), new string('s', 501), true, _afterwards));

        DomainAssert.InvalidFields(error, "completedAt", "actualDuration", "performanceRating", "interviewNotes", "nextSteps");
    }

    [Fact]
    public void Completing_stores_the_outcome_and_keeps_the_preparation()
    {
        var completedAt = _scheduledAt.AddMinutes(50);

        DomainAssert.Succeeded(_interview.Complete(completedAt, 50, 4, "  Went well  ", " Feedback in a week ", true, _afterwards));

        Assert.Equal(InterviewStatus.Completed, _interview.Status);
        Assert.Equal(completedAt, _interview.CompletedAt);
        Assert.Equal(50, _interview.ActualDuration);
        Assert.Equal(4, _interview.PerformanceRating);
        Assert.Equal("Went well", _interview.InterviewNotes);
        Assert.Equal("Feedback in a week", _interview.NextSteps);
        Assert.True(_interview.FollowUpRequired);
        Assert.Equal(_afterwards, _interview.UpdatedAt);
        Assert.Equal("Read the product docs", _interview.PreparationNotes);
        Assert.True(_interview.ResearchCompleted);
    }

    [Fact]
    public void Completing_records_InterviewCompleted_with_the_outcome()
    {
        var completedAt = _scheduledAt.AddMinutes(50);

        DomainAssert.Succeeded(_interview.Complete(completedAt, 50, 4, "Went well", null, true, _afterwards));

        var completed = DomainAssert.SingleEvent<InterviewCompleted>(_interview);
        Assert.Equal(_interview.Id, completed.InterviewId);
        Assert.Equal(_interview.UserId, completed.UserId);
        Assert.Equal(completedAt, completed.CompletedAt);
        Assert.Equal(50, completed.ActualDuration);
        Assert.Equal(4, completed.PerformanceRating);
        Assert.Equal("Went well", completed.InterviewNotes);
        Assert.Null(completed.NextSteps);
        Assert.True(completed.FollowUpRequired);
        Assert.Equal(_afterwards, completed.RecordedAt);
        Assert.Equal(_afterwards, completed.OccurredAt);
    }

    [Fact]
    public void An_interview_moved_later_can_be_completed_between_its_original_and_its_new_time()
    {
        var original = _scheduledAt;
        DomainAssert.Succeeded(_interview.Reschedule(original.AddDays(2), "Moved", RescheduleInitiator.Company, _builder.Now));
        var betweenTheTwo = original.AddHours(3);

        DomainAssert.Succeeded(_interview.Complete(original.AddHours(1), 45, 4, null, null, false, betweenTheTwo));

        Assert.Equal(original, _interview.EarliestScheduledAt);
        Assert.Equal(InterviewStatus.Completed, _interview.Status);
        Assert.Equal(original.AddHours(1), _interview.CompletedAt);
    }

    [Fact]
    public void An_interview_moved_later_cannot_be_completed_before_its_original_time()
    {
        var original = _scheduledAt;
        DomainAssert.Succeeded(_interview.Reschedule(original.AddDays(2), "Moved", RescheduleInitiator.Company, _builder.Now));

        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(null, null, null, null, null, false, original.AddMinutes(-1)));

        DomainAssert.InvalidState(error, "interview-not-started");
    }

    [Fact]
    public void An_interview_moved_later_cannot_be_completed_at_a_time_before_its_original_time()
    {
        var original = _scheduledAt;
        DomainAssert.Succeeded(_interview.Reschedule(original.AddDays(2), "Moved", RescheduleInitiator.Company, _builder.Now));

        var error = DomainAssert.RefusedWithoutChange(_interview, i => i.Complete(original.AddMinutes(-1), null, null, null, null, false, original.AddHours(3)));

        DomainAssert.InvalidFields(error, "completedAt");
    }

    [Fact]
    public void An_interview_moved_earlier_can_be_completed_from_its_new_time()
    {
        var earlier = _scheduledAt.AddDays(-1);
        DomainAssert.Succeeded(_interview.Reschedule(earlier, "Moved up", RescheduleInitiator.Company, _builder.Now));

        DomainAssert.Succeeded(_interview.Complete(null, null, null, null, null, false, earlier.AddHours(1)));

        Assert.Equal(earlier, _interview.EarliestScheduledAt);
        Assert.Equal(earlier.AddHours(1), _interview.CompletedAt);
    }
}
