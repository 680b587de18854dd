using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>Recording a thank-you note: only after completion, only once, with valid recipients.</summary>
public sealed class ThankYouNoteTests
{
    private static readonly string[] OneRecipient = ["jane.smith@techcorp.com"];

    private readonly InterviewBuilder _builder = new();

    [Theory]
    [InlineData(InterviewStatus.Scheduled)]
    [InlineData(InterviewStatus.Prepared)]
    [InlineData(InterviewStatus.Rescheduled)]
    [InlineData(InterviewStatus.Cancelled)]
    public void A_note_before_completion_is_refused(InterviewStatus status)
    {
        var interview = _builder.Build(status);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, null, null, _builder.Now));

        DomainAssert.InvalidState(error, "interview-not-completed");
    }

    [Fact]
    public void A_note_after_completion_is_recorded()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var sentAt = interview.CompletedAt!.Value.AddMinutes(30);

        DomainAssert.Succeeded(interview.RecordThankYouNote(
            [" jane.smith@techcorp.com ", "john.doe@techcorp.com"], ThankYouMethod.LinkedIn, " Thanked them ", sentAt, _builder.Now));

        Assert.Equal(InterviewStatus.Completed, interview.Status);
        Assert.True(interview.ThankYouNoteSent);
        Assert.Equal(sentAt, interview.ThankYouSentAt);
        Assert.Equal(["jane.smith@techcorp.com", "john.doe@techcorp.com"], interview.ThankYouRecipients);
        Assert.Equal(ThankYouMethod.LinkedIn, interview.ThankYouMethod);
        Assert.Equal("Thanked them", interview.ThankYouNotes);
        Assert.Equal(_builder.Now, interview.UpdatedAt);
    }

    [Fact]
    public void Recording_a_note_records_ThankYouNoteSent()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var sentAt = interview.CompletedAt!.Value.AddMinutes(30);

        DomainAssert.Succeeded(interview.RecordThankYouNote(["jane.smith@techcorp.com"], ThankYouMethod.Handwritten, null, sentAt, _builder.Now));

        var sent = DomainAssert.SingleEvent<ThankYouNoteSent>(interview);
        Assert.Equal(interview.Id, sent.InterviewId);
        Assert.Equal(interview.UserId, sent.UserId);
        Assert.Equal(sentAt, sent.SentAt);
        Assert.Equal(["jane.smith@techcorp.com"], sent.Recipients);
        Assert.Equal(ThankYouMethod.Handwritten, sent.Method);
        Assert.Null(sent.Notes);
        Assert.Equal(_builder.Now, sent.RecordedAt);
    }

    [Fact]
    public void A_sending_time_left_out_means_now()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        DomainAssert.Succeeded(interview.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, null, null, _builder.Now));

        Assert.Equal(_builder.Now, interview.ThankYouSentAt);
    }

    [Fact]
    public void A_second_note_is_refused()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        DomainAssert.Succeeded(interview.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, null, null, _builder.Now));
        interview.ClearPendingEvents();

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.RecordThankYouNote(["someone.else@techcorp.com"], ThankYouMethod.LinkedIn, "Again", null, _builder.Now.AddHours(1)));

        DomainAssert.InvalidState(error, "thank-you-already-recorded");
    }

    [Fact]
    public void No_recipients_are_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordThankYouNote(null, ThankYouMethod.Email, null, null, _builder.Now));

        DomainAssert.InvalidFields(error, "recipients");
    }

    [Fact]
    public void An_empty_recipient_list_is_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordThankYouNote([], ThankYouMethod.Email, null, null, _builder.Now));

        DomainAssert.InvalidFields(error, "recipients");
    }

    [Fact]
    public void Twenty_recipients_are_accepted()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var recipients = Recipients(20);

        DomainAssert.Succeeded(interview.RecordThankYouNote(recipients, ThankYouMethod.Email, null, null, _builder.Now));

        Assert.Equal(recipients, interview.ThankYouRecipients);
    }

    [Fact]
    public void Twenty_one_recipients_are_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordThankYouNote(Recipients(21), ThankYouMethod.Email, null, null, _builder.Now));

        DomainAssert.InvalidFields(error, "recipients");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_recipient_is_rejected_with_its_index(string? blank)
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.RecordThankYouNote(["jane.smith@techcorp.com", blank], ThankYouMethod.Email, null, null, _builder.Now));

        DomainAssert.InvalidFields(error, "recipients[1]");
    }

    [Fact]
    public void A_recipient_of_254_characters_is_accepted()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var recipient = Address(254);

        DomainAssert.Succeeded(interview.RecordThankYouNote([recipient], ThankYouMethod.Email, null, null, _builder.Now));

        Assert.Equal([recipient], interview.ThankYouRecipients);
    }

    [Fact]
    public void A_recipient_of_255_characters_is_rejected_with_its_index()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.RecordThankYouNote([Address(255)], ThankYouMethod.Email, null, null, _builder.Now));

        DomainAssert.InvalidFields(error, "recipients[0]");
    }

    [Fact]
    public void Notes_of_2000_characters_are_accepted()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var notes = new string('t', 2_000);

        DomainAssert.Succeeded(interview.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, notes, null, _builder.Now));

        Assert.Equal(notes, interview.ThankYouNotes);
    }

    [Fact]
    public void Notes_of_2001_characters_are_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, new string('t', 2_001), null, _builder.Now));

        DomainAssert.InvalidFields(error, "notes");
    }

    [Fact]
    public void A_note_sent_at_the_completion_time_is_accepted()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var completedAt = interview.CompletedAt!.Value;

        DomainAssert.Succeeded(interview.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, null, completedAt, _builder.Now));

        Assert.Equal(completedAt, interview.ThankYouSentAt);
    }

    [Fact]
    public void A_note_sent_before_the_interview_was_completed_is_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);
        var beforeCompletion = interview.CompletedAt!.Value.AddTicks(-1);

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, null, beforeCompletion, _builder.Now));

        DomainAssert.InvalidFields(error, "sentAt");
    }

    [Fact]
    public void A_note_sent_in_the_future_is_rejected()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(
            interview, i => i.RecordThankYouNote(OneRecipient, ThankYouMethod.Email, null, _builder.Now.AddTicks(1), _builder.Now));

        DomainAssert.InvalidFields(error, "sentAt");
    }

    [Fact]
    public void Every_invalid_note_field_is_reported_at_once()
    {
        var interview = _builder.Build(InterviewStatus.Completed);

        var error = DomainAssert.RefusedWithoutChange(
            interview,
            i => i.RecordThankYouNote(["ok@example.com", " ", Address(255)], ThankYouMethod.Email, new string('t', 2_001), _builder.Now.AddDays(1), _builder.Now));

        DomainAssert.InvalidFields(error, "recipients[1]", "recipients[2]", "notes", "sentAt");
    }

    private static string[] Recipients(int count) =>
        [.. Enumerable.Range(1, count).Select(i => $"person{i}@techcorp.com")];

    private static string Address(int length) => new string('a', length - "@example.com".Length) + "@example.com";
}
