using System.Text.Json;
using CsCheck;
using Interviews.Domain;

namespace Interviews.Tests.Hardening;

/// <summary>
/// Random sequences of commands (prepare, complete, reschedule, thank-you, update, cancel, outcome and clock
/// advances, with values inside and outside every bound) run against the aggregate and against a
/// small model of the status machine written here from the rules of docs/rules.md. After every step the
/// aggregate must agree with the model (accepted or refused, and why) and the invariants must hold.
/// </summary>
public sealed class AggregatePropertyTests
{
    public const int Sequences = 10_000;

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAhead = Interview.MaxScheduleAhead;

    // Spellings a client might send, with the type the model expects (null: refused).
    private static readonly (string? Text, InterviewType? Type)[] Types =
    [
        ("Video", InterviewType.Video), ("Phone Screen", InterviewType.PhoneScreen), ("In-Person", InterviewType.InPerson),
        ("Final", InterviewType.Final), ("Panel", InterviewType.Panel), ("phone screen", null), ("FINAL", null),
        ("Coffee", null), ("", null), (null, null), ("3", null),
    ];

    private static readonly (string? Id, bool Valid)[] Zones =
    [
        ("UTC", true), ("Europe/Berlin", true), ("America/Los_Angeles", true), ("Asia/Kolkata", true),
        ("Mars/Base", false), ("posix/Europe/Berlin", false), ("Pacific Standard Time", false), ("", false), (null, false), ("+02:00", false),
    ];

    private static readonly Guid Application = Guid.Parse("22222222-2222-2222-2222-222222222222");

    [Fact]
    public void Random_command_sequences_keep_every_invariant_and_agree_with_the_model()
    {
        var stats = new Stats();
        CommandSequence.Sample(sequence => Run(sequence, stats), iter: Sequences, print: Describe);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Aggregate properties: {stats.Sequences:N0} sequences, {stats.Commands:N0} commands " +
            $"({stats.Accepted:N0} accepted, {stats.NoOps:N0} accepted without change, {stats.Refused:N0} refused), " +
            $"final statuses: {string.Join(", ", stats.FinalStatuses.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}"))}");
        Assert.True(stats.Sequences >= Sequences, $"Only {stats.Sequences} sequences ran.");
        // The generator must reach every status and both outcomes, or the properties prove little.
        Assert.Equal(Enum.GetValues<InterviewStatus>().Length, stats.FinalStatuses.Count);
        Assert.True(stats.Accepted > stats.Commands / 10 && stats.Refused > stats.Commands / 10, $"Unbalanced: {stats.Accepted} accepted, {stats.Refused} refused.");
    }

    // ---- Commands ----------------------------------------------------------------------------

    /// <summary>A step of a sequence. Times are minutes relative to the clock when the step runs.</summary>
    public abstract record Step;

    public sealed record Advance(int Minutes) : Step;

    public sealed record Prepare(TextOf Notes, bool Research, bool Questions, bool Materials) : Step;

    public sealed record Complete(int? CompletedAtMinutes, int? ActualDuration, int? Rating, TextOf Notes, TextOf NextSteps, bool FollowUp) : Step;

    public sealed record Reschedule(long NewTimeMinutes, TextOf Reason, RescheduleInitiator By) : Step;

    public sealed record ThankYou(TextOf[]? Recipients, ThankYouMethod Method, TextOf Notes, int? SentAtMinutes) : Step;

    public sealed record Update(bool SameApplication, bool EmptyApplication, int TypeIndex, int Duration, TextOf Location, TextOf[]? Interviewers, int ZoneIndex) : Step;

    public sealed record Cancel : Step;

    public sealed record Decide(InterviewOutcome Outcome, int? DecidedAtMinutes, TextOf Notes) : Step;

    /// <summary>Text described by its length and padding, so that generation stays cheap: null, blank, or <c>Length</c> letters with spaces around.</summary>
    public sealed record TextOf(int Length, bool Blank, bool Padded)
    {
        public static readonly TextOf None = new(-1, false, false);

        public string? Value => Length < 0 ? null : Blank ? new string(' ', Length) : Padded ? $"  {new string('n', Length)}\t" : new string('n', Length);

        /// <summary>What the aggregate keeps: trimmed, and null when blank.</summary>
        public int? KeptLength => Length < 0 || Blank || Length == 0 ? null : Length;

        public string? Kept => KeptLength is { } n ? new string('n', n) : null;
    }

    private static Gen<TextOf> TextUpTo(int max) => Gen.Frequency(
        (2, Gen.Const(TextOf.None)),
        (1, Gen.Int[0, 3].Select(n => new TextOf(n, true, false))),
        (6, Gen.Select(Gen.Int[1, 40], Gen.Bool, (n, padded) => new TextOf(n, false, padded))),
        // The bound, one over it, and a little either side.
        (3, Gen.Select(Gen.Int[max - 1, max + 1], Gen.Bool, (n, padded) => new TextOf(n, false, padded))));

    private static readonly Gen<int> Minutes = Gen.Frequency(
        (3, Gen.Int[-3 * 24 * 60, 60]),
        (1, Gen.Int[-2, 2]));

    // Cancelling is final, so it is rare enough that most sequences go on to the other statuses.
    private static readonly Gen<Step> AnyStep = Gen.Frequency<Step>(
        (16, Gen.Frequency((4, Gen.Int[1, 240]), (3, Gen.Int[240, 5 * 24 * 60]), (1, Gen.Int[0, 1])).Select(m => (Step)new Advance(m))),
        (8, Gen.Select(TextUpTo(InterviewLimits.MaxPreparationNotes), Gen.Bool, Gen.Bool, Gen.Bool, (t, a, b, c) => (Step)new Prepare(t, a, b, c))),
        (12, Gen.Select(
            Minutes.Nullable(0.5),
            Gen.Frequency((1, Gen.Int[-5, 5]), (2, Gen.Int[0, 1442]), (1, Gen.OneOf(Gen.Const(1440), Gen.Const(1441)))).Nullable(0.3),
            Gen.Int[-1, 7].Nullable(0.2),
            TextUpTo(InterviewLimits.MaxInterviewNotes),
            TextUpTo(InterviewLimits.MaxNextSteps),
            Gen.Bool,
            (at, d, r, n, s, f) => (Step)new Complete(at, d, r, n, s, f))),
        (12, Gen.Select(
            Gen.Frequency(
                (6, Gen.Long[-2 * 24 * 60, 10 * 24 * 60]),
                (1, Gen.Long[-1, 1]),
                (1, Gen.OneOf(Gen.Const((long)MaxAhead.TotalMinutes), Gen.Const((long)MaxAhead.TotalMinutes + 1)))),
            TextUpTo(InterviewLimits.MaxReason),
            Gen.Enum<RescheduleInitiator>(),
            (m, r, by) => (Step)new Reschedule(m, r, by))),
        (12, Gen.Select(
            Gen.Frequency((8, TextUpTo(InterviewLimits.MaxRecipient).Array[0, 3]), (1, TextUpTo(10).Array[19, 21])).Null(0.1),
            Gen.Enum<ThankYouMethod>(),
            TextUpTo(InterviewLimits.MaxThankYouNotes),
            Minutes.Nullable(0.5),
            (r, m, n, at) => (Step)new ThankYou(r, m, n, at))),
        (8, Gen.Select(
            Gen.Bool, Gen.Int[0, 20].Select(i => i == 0), Gen.Int[0, Types.Length - 1],
            Gen.Frequency((4, Gen.Int[15, 480]), (1, Gen.OneOf(Gen.Const(14), Gen.Const(15), Gen.Const(480), Gen.Const(481), Gen.Const(0), Gen.Const(-60)))),
            TextUpTo(InterviewLimits.MaxLocation),
            Gen.Frequency((8, TextUpTo(InterviewLimits.MaxInterviewerName).Array[0, 3]), (1, TextUpTo(5).Array[19, 21])).Null(0.2),
            Gen.Int[0, Zones.Length - 1],
            (same, empty, type, duration, location, people, zone) => (Step)new Update(same, empty, type, duration, location, people, zone))),
        (1, Gen.Const<Step>(new Cancel())),
        (8, Gen.Select(
            Gen.Enum<InterviewOutcome>(),
            // Around the interview, around now and the clock skew's bound (5 minutes ahead).
            Gen.Frequency((3, Minutes), (1, Gen.Int[4, 6])).Nullable(0.4),
            TextUpTo(InterviewLimits.MaxOutcomeNotes),
            (o, at, n) => (Step)new Decide(o, at, n))));

    /// <summary>Where the first schedule lands (minutes ahead, including the past and beyond five years) and what follows.</summary>
    private static readonly Gen<(long FirstAt, Step[] Steps)> CommandSequence = Gen.Select(
        Gen.Frequency((8, Gen.Long[1, 7 * 24 * 60]), (1, Gen.Long[-60, 0]), (1, Gen.OneOf(Gen.Const((long)MaxAhead.TotalMinutes), Gen.Const((long)MaxAhead.TotalMinutes + 1)))),
        AnyStep.Array[0, 40],
        (at, steps) => (at, steps));

    // ---- The model ---------------------------------------------------------------------------

    /// <summary>What the model expects of a command: accepted with a change, accepted as a no-op, or refused with a kind of error.</summary>
    private enum Outcome
    {
        Changed,
        NoOp,
        InvalidState,
        Invalid,
    }

    /// <summary>The status machine as the table of docs/rules.md states it, and the few facts the rules depend on.</summary>
    private sealed class Model(DateTimeOffset scheduledAt, InterviewType type, string zone)
    {
        public InterviewStatus Status { get; private set; } = InterviewStatus.Scheduled;

        public DateTimeOffset ScheduledAt { get; private set; } = scheduledAt;

        public DateTimeOffset Earliest { get; private set; } = scheduledAt;

        public DateTimeOffset? CompletedAt { get; private set; }

        public int Reschedules { get; private set; }

        public bool ThankYouRecorded { get; private set; }

        public (InterviewOutcome Outcome, DateTimeOffset DecidedAt, string? Notes)? Decision { get; private set; }

        /// <summary>Whether the interview is still linked to the application it was scheduled for.</summary>
        public bool OriginalApplication { get; private set; } = true;

        public (InterviewType Type, int Duration, string? Location, string Names, string Zone) Details { get; set; } =
            (type, 60, "https://zoom.us/j/12345", "Jane Smith|John Doe", zone);

        private bool Open => Status is InterviewStatus.Scheduled or InterviewStatus.Prepared or InterviewStatus.Rescheduled;

        public Outcome Expect(Step step, DateTimeOffset now) => step switch
        {
            Prepare p when Open => p.Notes.KeptLength > InterviewLimits.MaxPreparationNotes ? Outcome.Invalid : Outcome.Changed,
            Complete c when Open => ExpectComplete(c, now),
            Reschedule r when Open => ExpectReschedule(r, now),
            ThankYou t when Status == InterviewStatus.Completed && !ThankYouRecorded => ExpectThankYou(t, now),
            Update u when Open => ExpectUpdate(u),
            Cancel when Open => Outcome.Changed,
            Cancel when Status == InterviewStatus.Cancelled => Outcome.NoOp,
            Decide d when Status == InterviewStatus.Completed => ExpectDecide(d, now),
            _ => Outcome.InvalidState,
        };

        public void Apply(Step step, DateTimeOffset now)
        {
            switch (step)
            {
                case Prepare:
                    Status = InterviewStatus.Prepared;
                    break;
                case Complete c:
                    Status = InterviewStatus.Completed;
                    CompletedAt = c.CompletedAtMinutes is { } m ? now.AddMinutes(m) : now;
                    break;
                case Reschedule r:
                    ScheduledAt = now.AddMinutes(r.NewTimeMinutes);
                    Earliest = ScheduledAt < Earliest ? ScheduledAt : Earliest;
                    Reschedules++;
                    Status = InterviewStatus.Rescheduled;
                    break;
                case ThankYou:
                    ThankYouRecorded = true;
                    break;
                case Update u:
                    Details = DetailsOf(u);
                    OriginalApplication = u.SameApplication;
                    break;
                case Cancel:
                    Status = InterviewStatus.Cancelled;
                    break;
                case Decide d:
                    Decision = (d.Outcome, DecidedAt(d, now), d.Notes.Kept);
                    break;
            }
        }

        /// <summary>When the interview took place: its time, or its completion when that came first.</summary>
        public DateTimeOffset? HeldAt => CompletedAt is { } c ? (c < ScheduledAt ? c : ScheduledAt) : null;

        /// <summary>The time given, else the time an unchanged outcome was decided, else now.</summary>
        private DateTimeOffset DecidedAt(Decide d, DateTimeOffset now) =>
            d.DecidedAtMinutes is { } m ? now.AddMinutes(m) : Decision is { } kept && kept.Outcome == d.Outcome ? kept.DecidedAt : now;

        private Outcome ExpectDecide(Decide d, DateTimeOffset now)
        {
            var at = DecidedAt(d, now);
            if (at > now + Interview.DecisionClockSkew || at < HeldAt || d.Notes.KeptLength > InterviewLimits.MaxOutcomeNotes)
            {
                return Outcome.Invalid;
            }

            return Decision == (d.Outcome, at, d.Notes.Kept) ? Outcome.NoOp : Outcome.Changed;
        }

        private Outcome ExpectComplete(Complete c, DateTimeOffset now)
        {
            if (now < Earliest)
            {
                return Outcome.InvalidState;
            }

            var at = c.CompletedAtMinutes is { } m ? now.AddMinutes(m) : now;
            var invalid = at > now || at < Earliest
                || c.ActualDuration is < 1 or > 1440
                || c.Rating is < 1 or > 5
                || c.Notes.KeptLength > InterviewLimits.MaxInterviewNotes
                || c.NextSteps.KeptLength > InterviewLimits.MaxNextSteps;
            return invalid ? Outcome.Invalid : Outcome.Changed;
        }

        private Outcome ExpectReschedule(Reschedule r, DateTimeOffset now)
        {
            var at = now.AddMinutes(r.NewTimeMinutes);
            var invalid = at <= now || at > now + MaxAhead || at == ScheduledAt || r.Reason.KeptLength > InterviewLimits.MaxReason;
            return invalid ? Outcome.Invalid : Outcome.Changed;
        }

        private Outcome ExpectThankYou(ThankYou t, DateTimeOffset now)
        {
            var sent = t.SentAtMinutes is { } m ? now.AddMinutes(m) : now;
            var invalid = t.Recipients is null || t.Recipients.Length is 0 or > InterviewLimits.MaxRecipients
                || t.Recipients.Any(r => r.KeptLength is null or > InterviewLimits.MaxRecipient)
                || t.Notes.KeptLength > InterviewLimits.MaxThankYouNotes
                || sent > now || sent < CompletedAt;
            return invalid ? Outcome.Invalid : Outcome.Changed;
        }

        private Outcome ExpectUpdate(Update u)
        {
            var invalid = u.EmptyApplication
                || Types[u.TypeIndex].Type is null
                || u.Duration is < 15 or > 480
                || u.Location.KeptLength > InterviewLimits.MaxLocation
                || u.Interviewers?.Length > InterviewLimits.MaxInterviewers
                || (u.Interviewers?.Any(n => n.KeptLength is null or > InterviewLimits.MaxInterviewerName) ?? false)
                || !Zones[u.ZoneIndex].Valid;
            if (invalid)
            {
                return Outcome.Invalid;
            }

            return u.SameApplication && OriginalApplication && DetailsOf(u) == Details ? Outcome.NoOp : Outcome.Changed;
        }

        public static (InterviewType, int, string?, string, string) DetailsOf(Update u) =>
            (Types[u.TypeIndex].Type!.Value, u.Duration, u.Location.Value?.Trim() is { Length: > 0 } l ? l : null,
             string.Join('|', (u.Interviewers ?? []).Select(n => n.Value!.Trim())), Zones[u.ZoneIndex].Id!);

        /// <summary>The transition table of docs/rules.md: from which status a change may lead to which.</summary>
        public static bool IsAllowedMove(InterviewStatus from, InterviewStatus to) =>
            from == to
            || (from is InterviewStatus.Scheduled or InterviewStatus.Prepared or InterviewStatus.Rescheduled
                && to is InterviewStatus.Prepared or InterviewStatus.Rescheduled or InterviewStatus.Completed or InterviewStatus.Cancelled);
    }

    // ---- Running a sequence ------------------------------------------------------------------

    private static void Run((long FirstAt, Step[] Steps) sequence, Stats stats)
    {
        var now = Start;
        var firstAt = now.AddMinutes(sequence.FirstAt);
        var details = InterviewDetails.Create(Application, "Video", 60, "https://zoom.us/j/12345", ["Jane Smith", "John Doe"], "UTC").Value;
        var first = Interview.Schedule(Guid.NewGuid(), Guid.NewGuid(), details, firstAt, now);
        var validFirst = firstAt > now && firstAt <= now + MaxAhead;
        Assert.True(first.IsSuccess == validFirst, $"Scheduling {sequence.FirstAt} minutes ahead: expected {(validFirst ? "success" : "refusal")}, got {first.Error}");
        if (!validFirst)
        {
            Assert.Equal(ErrorKind.Validation, first.Error!.Kind);
            firstAt = now.AddDays(1);
            first = Interview.Schedule(Guid.NewGuid(), Guid.NewGuid(), details, firstAt, now);
        }

        var interview = first.Value;
        var model = new Model(firstAt, InterviewType.Video, "UTC");
        Assert.IsType<InterviewScheduled>(Assert.Single(interview.PendingEvents));
        CheckInvariants(interview, model);

        foreach (var step in sequence.Steps)
        {
            stats.Command();
            if (step is Advance advance)
            {
                now = now.AddMinutes(advance.Minutes);
                continue;
            }

            var expected = model.Expect(step, now);
            var before = Snapshot(interview);
            var statusBefore = interview.Status;
            var eventsBefore = interview.PendingEvents.Count;
            var result = Execute(interview, step, now);
            var where = $"{step} at {now:O} from {statusBefore}";

            switch (expected)
            {
                case Outcome.Changed:
                    Assert.True(result.IsSuccess, $"{where}: expected success, got {Show(result.Error)}");
                    Assert.True(interview.PendingEvents.Count == eventsBefore + 1, $"{where}: {interview.PendingEvents.Count - eventsBefore} events for one accepted command.");
                    Assert.IsType(EventTypeOf(step), interview.PendingEvents[^1]);
                    Assert.True(Model.IsAllowedMove(statusBefore, interview.Status), $"{where}: moved to {interview.Status}.");
                    model.Apply(step, now);
                    stats.Accept();
                    break;
                case Outcome.NoOp:
                    Assert.True(result.IsSuccess, $"{where}: expected success, got {Show(result.Error)}");
                    Assert.Equal(eventsBefore, interview.PendingEvents.Count);
                    Assert.Equal(before, Snapshot(interview));
                    stats.NoOp();
                    break;
                default:
                    Assert.False(result.IsSuccess, $"{where}: expected {expected}, but it was accepted.");
                    Assert.Equal(expected == Outcome.InvalidState ? ErrorKind.InvalidState : ErrorKind.Validation, result.Error!.Kind);
                    Assert.Equal(eventsBefore, interview.PendingEvents.Count);
                    Assert.Equal(before, Snapshot(interview));
                    stats.Refuse();
                    break;
            }

            CheckInvariants(interview, model);
        }

        stats.Finish(interview.Status);
    }

    private static Result Execute(Interview interview, Step step, DateTimeOffset now) => step switch
    {
        Prepare p => interview.Prepare(p.Notes.Value, p.Research, p.Questions, p.Materials, now),
        Complete c => interview.Complete(c.CompletedAtMinutes is { } m ? now.AddMinutes(m) : null, c.ActualDuration, c.Rating, c.Notes.Value, c.NextSteps.Value, c.FollowUp, now),
        Reschedule r => interview.Reschedule(now.AddMinutes(r.NewTimeMinutes), r.Reason.Value, r.By, now),
        ThankYou t => interview.RecordThankYouNote(t.Recipients?.Select(r => r.Value).ToList(), t.Method, t.Notes.Value, t.SentAtMinutes is { } m ? now.AddMinutes(m) : null, now),
        Update u => UpdateDetails(interview, u, now),
        Cancel => interview.Cancel(now),
        Decide d => interview.RecordOutcome(d.Outcome, d.DecidedAtMinutes is { } m ? now.AddMinutes(m) : null, d.Notes.Value, now),
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    /// <summary>As the API does: the status first, then the details' own validation, then the aggregate.</summary>
    private static Result UpdateDetails(Interview interview, Update u, DateTimeOffset now)
    {
        if (interview.Refusal(InterviewCommand.UpdateDetails) is { } refused)
        {
            return refused;
        }

        var details = InterviewDetails.Create(
            u.EmptyApplication ? Guid.Empty : u.SameApplication ? Application : Guid.NewGuid(),
            Types[u.TypeIndex].Text, u.Duration, u.Location.Value, u.Interviewers?.Select(n => n.Value).ToList(), Zones[u.ZoneIndex].Id);
        return details.IsSuccess ? interview.UpdateDetails(details.Value, now) : details.Error!;
    }

    private static Type EventTypeOf(Step step) => step switch
    {
        Prepare => typeof(InterviewPrepared),
        Complete => typeof(InterviewCompleted),
        Reschedule => typeof(InterviewRescheduled),
        ThankYou => typeof(ThankYouNoteSent),
        Update => typeof(InterviewDetailsUpdated),
        Cancel => typeof(InterviewCancelled),
        Decide => typeof(InterviewOutcomeRecorded),
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    private static void CheckInvariants(Interview i, Model model)
    {
        Assert.Equal(model.Status, i.Status);
        Assert.Equal(model.ScheduledAt, i.ScheduledAt);
        Assert.Equal(model.Earliest, i.EarliestScheduledAt);
        Assert.True(i.PerformanceRating is null or (>= 1 and <= 5), $"Rating {i.PerformanceRating}.");
        Assert.True(i.Duration is >= 15 and <= 480, $"Duration {i.Duration}.");
        Assert.Equal(model.Reschedules, i.RescheduleHistory.Count);
        for (var k = 0; k < i.RescheduleHistory.Count; k++)
        {
            var expectedPrevious = k == 0 ? i.RescheduleHistory[0].PreviousDateTime : i.RescheduleHistory[k - 1].NewDateTime;
            Assert.Equal(expectedPrevious, i.RescheduleHistory[k].PreviousDateTime);
        }

        if (i.RescheduleHistory.Count > 0)
        {
            Assert.Equal(i.ScheduledAt, i.RescheduleHistory[^1].NewDateTime);
        }

        Assert.Equal(i.Status == InterviewStatus.Completed, i.CompletedAt is not null);
        Assert.Equal(model.ThankYouRecorded, i.ThankYouNoteSent);
        if (i.ThankYouNoteSent)
        {
            Assert.Equal(InterviewStatus.Completed, i.Status);
            Assert.True(i.ThankYouSentAt >= i.CompletedAt, "Thank-you note before completion.");
            Assert.InRange(i.ThankYouRecipients.Count, 1, InterviewLimits.MaxRecipients);
        }
        else
        {
            Assert.Null(i.ThankYouSentAt);
        }

        Assert.True(i.CompletedAt is null || i.CompletedAt >= i.EarliestScheduledAt, "Completed before the earliest scheduled time.");
        Assert.True(i.UpdatedAt >= i.CreatedAt);
        Assert.Equal(i.PendingEvents.Count, i.Version);
        Assert.Equal(i.PendingEvents.Count, i.PendingEvents.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(i.RescheduleHistory.Count, i.PendingEvents.OfType<InterviewRescheduled>().Count());
        Assert.True(i.PendingEvents.OfType<ThankYouNoteSent>().Count() <= 1);
        Assert.True(i.PendingEvents.OfType<InterviewCompleted>().Count() <= 1);
        Assert.True(i.PendingEvents.OfType<InterviewCancelled>().Count() <= 1);
        Assert.Equal(model.Details, (i.InterviewType, i.Duration, i.Location, string.Join('|', i.Interviewers), i.Timezone.Id));
        Assert.Equal(model.Decision, i.Outcome is { } outcome ? (outcome, i.DecidedAt!.Value, i.OutcomeNotes) : null);
        Assert.True(i.Outcome is null || (i.Status == InterviewStatus.Completed && i.DecidedAt >= i.HeldAt), "An outcome without a completed interview, or decided before it.");
    }

    private static string Show(Error? error) =>
        error is null ? "success" : $"{error.Code}: {error.Message} {string.Join("; ", error.Fields?.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}") ?? [])}";

    private static string Snapshot(Interview interview) => JsonSerializer.Serialize(interview.ToSnapshot());

    private static string Describe((long FirstAt, Step[] Steps) sequence) =>
        $"first at +{sequence.FirstAt} min; " + string.Join("; ", sequence.Steps.Select(s => s.ToString()));

    private sealed class Stats
    {
        private long _sequences, _commands, _accepted, _noOps, _refused;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<InterviewStatus, int> _final = new();

        public long Sequences => Interlocked.Read(ref _sequences);

        public long Commands => Interlocked.Read(ref _commands);

        public long Accepted => Interlocked.Read(ref _accepted);

        public long NoOps => Interlocked.Read(ref _noOps);

        public long Refused => Interlocked.Read(ref _refused);

        public IReadOnlyDictionary<InterviewStatus, int> FinalStatuses => _final;

        public void Command() => Interlocked.Increment(ref _commands);

        public void Accept() => Interlocked.Increment(ref _accepted);

        public void NoOp() => Interlocked.Increment(ref _noOps);

        public void Refuse() => Interlocked.Increment(ref _refused);

        public void Finish(InterviewStatus status)
        {
            Interlocked.Increment(ref _sequences);
            _final.AddOrUpdate(status, 1, (_, n) => n + 1);
        }
    }
}
