using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>An interview's own reminder offsets: the same rules as the user's, kept ascending, and a change of them is a change.</summary>
public sealed class ReminderOffsetsTests
{
    private readonly InterviewBuilder _builder = new();

    [Fact]
    public void Without_offsets_of_its_own_an_interview_follows_the_users_settings()
    {
        Assert.Null(_builder.Build().ReminderMinutesBefore);
    }

    [Fact]
    public void Offsets_are_kept_ascending()
    {
        var interview = new InterviewBuilder().RemindingAt(1440, 15, 60).Build();

        Assert.Equal([15, 60, 1440], interview.ReminderMinutesBefore);
    }

    [Fact]
    public void An_empty_list_means_no_reminder_before_the_interview_not_the_users_settings()
    {
        var interview = new InterviewBuilder().RemindingAt().Build();

        Assert.NotNull(interview.ReminderMinutesBefore);
        Assert.Empty(interview.ReminderMinutesBefore);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ReminderOffsets.MaxMinutesBefore)]
    public void The_bounds_are_allowed(int minutes)
    {
        DomainAssert.Succeeded(new InterviewBuilder().RemindingAt(minutes).Details());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(ReminderOffsets.MaxMinutesBefore + 1)]
    public void An_offset_out_of_range_is_named_by_its_index(int minutes)
    {
        var details = new InterviewBuilder().RemindingAt(30, minutes).Details();

        DomainAssert.InvalidFields(details.Error, "reminderMinutesBefore[1]");
    }

    [Fact]
    public void More_than_five_offsets_are_refused()
    {
        var details = new InterviewBuilder().RemindingAt(5, 10, 15, 30, 60, 120).Details();

        DomainAssert.InvalidFields(details.Error, "reminderMinutesBefore");
    }

    [Fact]
    public void An_offset_given_twice_is_refused()
    {
        var details = new InterviewBuilder().RemindingAt(30, 60, 30).Details();

        DomainAssert.InvalidFields(details.Error, "reminderMinutesBefore");
    }

    [Fact]
    public void Offsets_are_reported_with_the_other_invalid_details()
    {
        var details = new InterviewBuilder().Lasting(5).RemindingAt(-5).Details();

        DomainAssert.InvalidFields(details.Error, "duration", "reminderMinutesBefore[0]");
    }

    [Fact]
    public void Changing_only_the_offsets_records_InterviewDetailsUpdated()
    {
        var interview = _builder.Build();

        DomainAssert.Succeeded(interview.UpdateDetails(DomainAssert.Succeeded(new InterviewBuilder().RemindingAt(10).Details()), _builder.Now));

        DomainAssert.SingleEvent<InterviewDetailsUpdated>(interview);
        Assert.Equal([10], interview.ReminderMinutesBefore);
    }

    [Fact]
    public void Going_from_no_reminders_back_to_the_users_settings_is_a_change()
    {
        var builder = new InterviewBuilder().RemindingAt();
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.UpdateDetails(DomainAssert.Succeeded(new InterviewBuilder().Details()), builder.Now));

        DomainAssert.SingleEvent<InterviewDetailsUpdated>(interview);
        Assert.Null(interview.ReminderMinutesBefore);
    }

    [Fact]
    public void The_same_offsets_in_another_order_are_no_change()
    {
        var builder = new InterviewBuilder().RemindingAt(30, 60);
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.UpdateDetails(DomainAssert.Succeeded(new InterviewBuilder().RemindingAt(60, 30).Details()), builder.Now));

        Assert.Empty(interview.PendingEvents);
    }

    [Fact]
    public void A_later_invitation_revision_keeps_the_candidates_offsets()
    {
        var builder = new InterviewBuilder().RemindingAt(20).FromInvitation("offsets@example.com");
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.ApplyInvitation(
            Invitation.Create("offsets@example.com", 1).Value, DomainAssert.Succeeded(new InterviewBuilder().At("Room 4").Details()), interview.ScheduledAt, builder.Now));

        Assert.Equal("Room 4", interview.Location);
        Assert.Equal([20], interview.ReminderMinutesBefore);
    }

    [Fact]
    public void A_restored_interview_keeps_null_and_empty_apart()
    {
        var following = new InterviewBuilder().Build();
        var silent = new InterviewBuilder().RemindingAt().Build();

        Assert.Null(Interview.Restore(following.ToSnapshot()).ReminderMinutesBefore);
        Assert.Empty(Interview.Restore(silent.ToSnapshot()).ReminderMinutesBefore!);
    }
}
