using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>An interview imported from an invitation takes its later revisions and its cancellation, and nothing else.</summary>
public sealed class InvitationRevisionTests
{
    private const string Uid = "7kukuqrfedlm2f9t0vh3mpr3ab@google.com";

    private static Invitation Revision(int sequence, string uid = Uid) => Invitation.Create(uid, sequence).Value;

    private static InterviewDetails Details(InterviewBuilder builder) => DomainAssert.Succeeded(builder.Details());

    [Fact]
    public void A_later_revision_that_moves_the_start_is_a_company_reschedule_naming_the_invitation_and_updates_the_details()
    {
        var builder = new InterviewBuilder().FromInvitation(Uid, 1);
        var interview = builder.Build();
        var original = interview.ScheduledAt;
        var details = DomainAssert.Succeeded(new InterviewBuilder().Lasting(90).With("Priya Raman").Details());

        DomainAssert.Succeeded(interview.ApplyInvitation(Revision(2), details, original.AddDays(1), builder.Now));

        Assert.Equal(InterviewStatus.Rescheduled, interview.Status);
        Assert.Equal(original.AddDays(1), interview.ScheduledAt);
        var move = Assert.Single(interview.RescheduleHistory);
        Assert.Equal(RescheduleInitiator.Company, move.InitiatedBy);
        Assert.Contains("updated calendar invitation", move.Reason, StringComparison.Ordinal);
        Assert.Contains("SEQUENCE 2", move.Reason, StringComparison.Ordinal);
        Assert.Equal(90, interview.Duration);
        Assert.Equal(["Priya Raman"], interview.Interviewers);
        Assert.Equal(2, interview.Invitation!.Sequence);
        Assert.Collection(interview.PendingEvents, e => Assert.IsType<InterviewRescheduled>(e), e => Assert.IsType<InterviewDetailsUpdated>(e));
    }

    [Fact]
    public void A_later_revision_at_the_same_time_only_updates_the_details()
    {
        var builder = new InterviewBuilder().FromInvitation(Uid);
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.ApplyInvitation(Revision(1), Details(new InterviewBuilder().At("Room 4")), interview.ScheduledAt, builder.Now));

        Assert.Equal(InterviewStatus.Scheduled, interview.Status);
        Assert.Equal("Room 4", interview.Location);
        Assert.IsType<InterviewDetailsUpdated>(Assert.Single(interview.PendingEvents));
        Assert.Equal(1, interview.Invitation!.Sequence);
    }

    [Fact]
    public void A_later_revision_that_changes_nothing_records_nothing()
    {
        var builder = new InterviewBuilder().FromInvitation(Uid);
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.ApplyInvitation(Revision(5), Details(builder), interview.ScheduledAt, builder.Now));

        Assert.Empty(interview.PendingEvents);
        Assert.Equal(0, interview.Invitation!.Sequence);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public void A_revision_already_seen_changes_nothing(int sequence)
    {
        var builder = new InterviewBuilder().FromInvitation(Uid, 3);
        var interview = builder.Build();
        var before = DomainAssert.Json(interview);

        DomainAssert.Succeeded(interview.ApplyInvitation(Revision(sequence), Details(new InterviewBuilder().Lasting(30)), interview.ScheduledAt.AddDays(1), builder.Now));

        Assert.Equal(before, DomainAssert.Json(interview));
        Assert.Empty(interview.PendingEvents);
    }

    [Fact]
    public void A_later_revision_of_a_completed_interview_is_refused_by_the_status_machine()
    {
        var builder = new InterviewBuilder().FromInvitation(Uid);
        var interview = builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.ApplyInvitation(Revision(1), Details(builder), i.ScheduledAt.AddDays(1), builder.Now));

        DomainAssert.InvalidState(error, "reschedule-not-allowed");
    }

    [Fact]
    public void A_later_revision_into_the_past_is_refused_and_changes_nothing()
    {
        var builder = new InterviewBuilder().FromInvitation(Uid);
        var interview = builder.Build();

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.ApplyInvitation(Revision(1), Details(new InterviewBuilder().Lasting(30)), builder.Now.AddDays(-1), builder.Now));

        DomainAssert.InvalidFields(error, "newDateTime");
    }

    [Fact]
    public void A_cancellation_of_the_same_or_a_later_revision_cancels_and_an_older_one_is_stale()
    {
        var builder = new InterviewBuilder().FromInvitation(Uid, 2);
        var stale = builder.Build();
        DomainAssert.Succeeded(stale.CancelFromInvitation(Revision(1), builder.Now));
        Assert.Equal(InterviewStatus.Scheduled, stale.Status);
        Assert.Empty(stale.PendingEvents);

        var interview = new InterviewBuilder().FromInvitation(Uid, 2).Build();
        DomainAssert.Succeeded(interview.CancelFromInvitation(Revision(2), builder.Now));
        Assert.Equal(InterviewStatus.Cancelled, interview.Status);
        Assert.IsType<InterviewCancelled>(Assert.Single(interview.PendingEvents));

        interview.ClearPendingEvents();
        DomainAssert.Succeeded(interview.CancelFromInvitation(Revision(3), builder.Now));
        Assert.Empty(interview.PendingEvents);
    }

    [Fact]
    public void A_revision_of_another_invitation_is_a_bug_of_the_caller()
    {
        var builder = new InterviewBuilder().FromInvitation(Uid);
        var interview = builder.Build();

        Assert.Throws<ArgumentException>(() => interview.ApplyInvitation(Revision(1, "other@example.com"), Details(builder), interview.ScheduledAt, builder.Now));
        Assert.Throws<ArgumentException>(() => new InterviewBuilder().Build().CancelFromInvitation(Revision(1), builder.Now));
    }

    [Theory]
    [InlineData(null, 0, "UID")]
    [InlineData(" ", 0, "UID")]
    [InlineData("a", -1, "SEQUENCE")]
    public void An_invitation_needs_a_UID_and_a_non_negative_SEQUENCE(string? uid, int sequence, string field)
    {
        DomainAssert.InvalidFields(Invitation.Create(uid, sequence).Error, field);
        DomainAssert.InvalidFields(Invitation.Create(new string('u', Invitation.MaxUidLength + 1), 0).Error, "UID");
    }
}
