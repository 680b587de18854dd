using System.Collections;
using System.Reflection;
using System.Text.Json;
using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>An interview saved as a snapshot and restored is the same interview, down to every property.</summary>
public sealed class SnapshotTests
{
    /// <summary>Derived or transient: not state the store saves.</summary>
    private static readonly string[] NotSaved = [nameof(Interview.PendingEvents), nameof(Interview.EarliestScheduledAt), nameof(Interview.HeldAt)];

    [Fact]
    public void A_restored_interview_has_the_same_snapshot()
    {
        var interview = ThroughItsWholeLife();
        var snapshot = interview.ToSnapshot();

        var restored = Interview.Restore(snapshot);

        Assert.Equal(JsonSerializer.Serialize(snapshot), JsonSerializer.Serialize(restored.ToSnapshot()));
    }

    [Fact]
    public void The_journey_under_test_sets_every_snapshot_field()
    {
        // Otherwise the round trip could not see a field that Restore forgets.
        var snapshot = ThroughItsWholeLife().ToSnapshot();

        var unset = typeof(InterviewSnapshot).GetProperties()
            .Where(p => p.Name != "EqualityContract" && IsDefault(p.GetValue(snapshot)))
            .Select(p => p.Name);

        Assert.Empty(unset);
    }

    [Fact]
    public void A_restored_interview_has_every_property_of_the_original()
    {
        var interview = ThroughItsWholeLife();

        var restored = Interview.Restore(interview.ToSnapshot());

        foreach (var property in SavedProperties())
        {
            Assert.True(
                Comparable(property.GetValue(interview)) == Comparable(property.GetValue(restored)),
                $"{property.Name} did not survive the round trip.");
        }

        Assert.Equal(interview.EarliestScheduledAt, restored.EarliestScheduledAt);
    }

    [Fact]
    public void Every_property_of_an_interview_is_in_its_snapshot()
    {
        var snapshotFields = typeof(InterviewSnapshot).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var missing = SavedProperties().Select(p => p.Name).Where(name => !snapshotFields.Contains(name));

        Assert.Empty(missing);
    }

    [Fact]
    public void A_restored_interview_has_no_pending_events()
    {
        var interview = ThroughItsWholeLife();
        Assert.NotEmpty(interview.PendingEvents);

        var restored = Interview.Restore(interview.ToSnapshot());

        Assert.Empty(restored.PendingEvents);
    }

    [Fact]
    public void A_restored_interview_obeys_the_same_rules()
    {
        var interview = ThroughItsWholeLife();

        var restored = Interview.Restore(interview.ToSnapshot());

        var error = DomainAssert.RefusedWithoutChange(
            restored, i => i.RecordThankYouNote(["again@techcorp.com"], ThankYouMethod.Email, null, null, interview.UpdatedAt.AddHours(1)));
        DomainAssert.InvalidState(error, "thank-you-already-recorded");
    }

    [Fact]
    public void A_restored_rescheduled_interview_can_be_completed_from_its_earliest_time()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        var original = interview.ScheduledAt;
        DomainAssert.Succeeded(interview.Reschedule(original.AddDays(2), null, RescheduleInitiator.Company, builder.Now));

        var restored = Interview.Restore(interview.ToSnapshot());

        DomainAssert.Succeeded(restored.Complete(original.AddHours(1), null, null, null, null, false, original.AddHours(2)));
    }

    [Fact]
    public void Changing_the_restored_snapshot_lists_afterwards_does_not_change_the_interview()
    {
        var saved = ThroughItsWholeLife().ToSnapshot();
        List<string> interviewers = [.. saved.Interviewers];
        List<string> recipients = [.. saved.ThankYouRecipients];
        List<RescheduleEvent> history = [.. saved.RescheduleHistory];
        var restored = Interview.Restore(saved with { Interviewers = interviewers, ThankYouRecipients = recipients, RescheduleHistory = history });
        var before = DomainAssert.Json(restored);

        interviewers.Clear();
        recipients.Add("intruder@example.com");
        history.RemoveAt(0);

        Assert.Equal(before, DomainAssert.Json(restored));
    }

    [Fact]
    public void Restoring_a_snapshot_with_an_unknown_timezone_throws()
    {
        var snapshot = ThroughItsWholeLife().ToSnapshot() with { Timezone = "Mars/Olympus" };

        Assert.Throws<InvalidOperationException>(() => Interview.Restore(snapshot));
    }

    /// <summary>Imported from an invitation, prepared, moved twice, completed and thanked: every field holds something.</summary>
    private static Interview ThroughItsWholeLife()
    {
        var builder = new InterviewBuilder().OfType("Technical").Lasting(90).At("Building 4").With("Ada Lovelace", "Alan Turing").InZone("Europe/London")
            .RemindingAt(30, 10).FromInvitation("whole-life@example.com", 2);
        var interview = builder.Build();
        var now = builder.Now;
        var original = interview.ScheduledAt;
        DomainAssert.Succeeded(interview.Prepare("Reviewed the codebase", true, true, true, now, [new("Why Rust?", "Memory safety")]));
        DomainAssert.Succeeded(interview.Reschedule(original.AddDays(1), "Conflict", RescheduleInitiator.Candidate, now.AddMinutes(1)));
        DomainAssert.Succeeded(interview.Reschedule(original.AddDays(2), "Interviewer ill", RescheduleInitiator.Company, now.AddMinutes(2)));
        var then = interview.ScheduledAt.AddHours(2);
        DomainAssert.Succeeded(interview.Complete(interview.ScheduledAt.AddHours(1), 80, 5, "Whiteboard exercise", "Offer call", true, then, ["Design a rate limiter"]));
        DomainAssert.Succeeded(interview.RecordThankYouNote(
            ["ada@example.com", "alan@example.com"], ThankYouMethod.LinkedIn, "Short and warm", then.AddMinutes(-10), then.AddMinutes(5)));
        DomainAssert.Succeeded(interview.RecordOutcome(InterviewOutcome.Offer, then.AddMinutes(20), "Offer by phone", then.AddMinutes(30)));
        return interview;
    }

    private static IEnumerable<PropertyInfo> SavedProperties() =>
        typeof(Interview).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => !NotSaved.Contains(p.Name));

    private static string Comparable(object? value) => value switch
    {
        IanaTimeZone zone => zone.Id,
        _ => JsonSerializer.Serialize(value),
    };

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        string text => text.Length == 0,
        IEnumerable items => !items.GetEnumerator().MoveNext(),
        _ => value.GetType().IsValueType && value.Equals(Activator.CreateInstance(value.GetType())),
    };
}
