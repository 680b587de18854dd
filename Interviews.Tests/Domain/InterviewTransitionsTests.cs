using Interviews.Domain;
using Interviews.Tests.Support;
using static Interviews.Domain.InterviewCommand;
using static Interviews.Domain.InterviewStatus;

namespace Interviews.Tests.Domain;

/// <summary>Every command from every status behaves as <see cref="InterviewTransitions"/> says, and the table itself is pinned.</summary>
public sealed class InterviewTransitionsTests
{
    private const Transition A = Transition.Allowed, F = Transition.Forbidden, D = Transition.AlreadyDone;

    /// <summary>Every status with every command, from the enums, so that a new member cannot be left out.</summary>
    public static TheoryData<InterviewStatus, InterviewCommand> EveryStatusAndCommand()
    {
        var data = new TheoryData<InterviewStatus, InterviewCommand>();
        foreach (var status in Enum.GetValues<InterviewStatus>())
        {
            foreach (var command in Enum.GetValues<InterviewCommand>())
            {
                data.Add(status, command);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStatusAndCommand))]
    public void Every_command_in_every_status_does_what_the_transition_table_says(InterviewStatus status, InterviewCommand command)
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build(status);
        Assert.Equal(status, interview.Status);
        Assert.Empty(interview.PendingEvents);
        // Late enough to complete (the builder's clock may still be before the interview), early enough to reschedule to.
        var now = Max(builder.Now, interview.ScheduledAt.AddHours(1));
        var before = DomainAssert.Json(interview);

        var result = Run(interview, command, now);

        switch (InterviewTransitions.For(status, command))
        {
            case Transition.Allowed:
                DomainAssert.Succeeded(result);
                var recorded = Assert.Single(interview.PendingEvents);
                Assert.IsType(EventOf(command), recorded);
                Assert.Equal(interview.Id, recorded.InterviewId);
                Assert.Equal(now, recorded.OccurredAt);
                Assert.Equal(StatusAfter(command, status), interview.Status);
                Assert.Equal(now, interview.UpdatedAt);
                break;
            case Transition.Forbidden:
                Assert.False(result.IsSuccess, $"{command} from {status} should be refused.");
                DomainAssert.InvalidState(result.Error, RefusalCode(command));
                Assert.Empty(interview.PendingEvents);
                Assert.Equal(before, DomainAssert.Json(interview));
                break;
            case Transition.AlreadyDone:
                DomainAssert.Succeeded(result);
                Assert.Empty(interview.PendingEvents);
                Assert.Equal(before, DomainAssert.Json(interview));
                break;
            default:
                Assert.Fail($"Unknown transition for {command} from {status}.");
                break;
        }
    }

    [Fact]
    public void The_transition_table_is_the_agreed_one()
    {
        //                                              Prepare Complete Reschedule ThankYou Update Cancel Outcome
        var expected = new Dictionary<InterviewStatus, Transition[]>
        {
            [Scheduled] = [A, A, A, F, A, A, F],
            [Prepared] = [A, A, A, F, A, A, F],
            [Completed] = [F, F, F, A, F, F, A],
            [Rescheduled] = [A, A, A, F, A, A, F],
            [Cancelled] = [F, F, F, F, F, D, F],
        };
        Assert.Equal(
            [Prepare, Complete, Reschedule, RecordThankYouNote, UpdateDetails, Cancel, RecordOutcome],
            Enum.GetValues<InterviewCommand>());
        Assert.Equal(expected.Keys.Order(), Enum.GetValues<InterviewStatus>().Order());

        foreach (var (status, row) in expected)
        {
            var actual = Enum.GetValues<InterviewCommand>().Select(command => InterviewTransitions.For(status, command));
            Assert.True(row.SequenceEqual(actual), $"The row for {status} changed: [{string.Join(", ", actual)}].");
        }
    }

    [Fact]
    public void Only_scheduled_prepared_and_rescheduled_interviews_are_open()
    {
        var open = Enum.GetValues<InterviewStatus>().Where(InterviewTransitions.IsOpen);

        Assert.Equal([Scheduled, Prepared, Rescheduled], open);
    }

    private static Result Run(Interview interview, InterviewCommand command, DateTimeOffset now) => command switch
    {
        Prepare => interview.Prepare("Practised the system design round", true, false, true, now),
        Complete => interview.Complete(null, 50, 4, "Went fine", "Wait for the recruiter", false, now),
        Reschedule => interview.Reschedule(now.AddDays(2), "Conflict", RescheduleInitiator.Candidate, now),
        RecordThankYouNote => interview.RecordThankYouNote(["jane.smith@techcorp.com"], ThankYouMethod.Email, "Thanked them", null, now),
        UpdateDetails => interview.UpdateDetails(DomainAssert.Succeeded(new InterviewBuilder().Lasting(90).Details()), now),
        Cancel => interview.Cancel(now),
        RecordOutcome => interview.RecordOutcome(InterviewOutcome.Advanced, null, "Second round on Friday", now),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "A command this test does not know how to run."),
    };

    private static Type EventOf(InterviewCommand command) => command switch
    {
        Prepare => typeof(InterviewPrepared),
        Complete => typeof(InterviewCompleted),
        Reschedule => typeof(InterviewRescheduled),
        RecordThankYouNote => typeof(ThankYouNoteSent),
        UpdateDetails => typeof(InterviewDetailsUpdated),
        Cancel => typeof(InterviewCancelled),
        RecordOutcome => typeof(InterviewOutcomeRecorded),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "A command this test does not know."),
    };

    private static InterviewStatus StatusAfter(InterviewCommand command, InterviewStatus from) => command switch
    {
        Prepare => Prepared,
        Complete => Completed,
        Reschedule => Rescheduled,
        RecordThankYouNote or UpdateDetails or RecordOutcome => from,
        Cancel => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "A command this test does not know."),
    };

    /// <summary>The codes clients see for a refused command; part of the API's contract.</summary>
    private static string RefusalCode(InterviewCommand command) => command switch
    {
        Prepare => "prepare-not-allowed",
        Complete => "complete-not-allowed",
        Reschedule => "reschedule-not-allowed",
        RecordThankYouNote => "interview-not-completed",
        UpdateDetails => "update-not-allowed",
        Cancel => "cancel-not-allowed",
        RecordOutcome => "interview-not-completed",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "A command this test does not know."),
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
