using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>Preparing an interview: notes within bounds, the three flags, and preparing again.</summary>
public sealed class PreparationTests
{
    [Fact]
    public void Preparing_stores_the_notes_and_flags_and_marks_the_interview_prepared()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.Prepare("Reviewed the products", true, false, true, builder.Now));

        Assert.Equal(InterviewStatus.Prepared, interview.Status);
        Assert.Equal("Reviewed the products", interview.PreparationNotes);
        Assert.True(interview.ResearchCompleted);
        Assert.False(interview.QuestionsPrepped);
        Assert.True(interview.MaterialsGathered);
        Assert.Equal(builder.Now, interview.UpdatedAt);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void Each_preparation_flag_is_stored_as_given(bool research, bool questions, bool materials)
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.Prepare(null, research, questions, materials, builder.Now));

        Assert.Equal((research, questions, materials), (interview.ResearchCompleted, interview.QuestionsPrepped, interview.MaterialsGathered));
    }

    [Fact]
    public void Preparation_notes_of_10000_characters_are_accepted()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        var notes = new string('p', 10_000);

        DomainAssert.Succeeded(interview.Prepare(notes, true, true, true, builder.Now));

        Assert.Equal(notes, interview.PreparationNotes);
    }

    [Fact]
    public void Preparation_notes_of_10001_characters_are_rejected_and_nothing_changes()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Prepare(new string('p', 10_001), true, true, true, builder.Now));

        DomainAssert.InvalidFields(error, "preparationNotes");
    }

    [Fact]
    public void Preparation_notes_are_trimmed_and_blank_notes_are_none()
    {
        var builder = new InterviewBuilder();
        var trimmed = builder.Build();
        var blank = builder.Build();

        DomainAssert.Succeeded(trimmed.Prepare("  STAR examples \n", false, true, false, builder.Now));
        DomainAssert.Succeeded(blank.Prepare("   ", false, true, false, builder.Now));

        Assert.Equal("STAR examples", trimmed.PreparationNotes);
        Assert.Null(blank.PreparationNotes);
        Assert.Equal("", DomainAssert.SingleEvent<InterviewPrepared>(blank).PreparationNotes);
    }

    [Fact]
    public void Preparing_again_replaces_the_earlier_preparation()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build(InterviewStatus.Prepared);
        Assert.Equal("Read the product docs", interview.PreparationNotes);
        var later = builder.Now.AddHours(1);

        DomainAssert.Succeeded(interview.Prepare("Also practised questions", false, true, true, later));

        Assert.Equal(InterviewStatus.Prepared, interview.Status);
        Assert.Equal("Also practised questions", interview.PreparationNotes);
        Assert.False(interview.ResearchCompleted);
        Assert.True(interview.QuestionsPrepped);
        Assert.True(interview.MaterialsGathered);
        Assert.Equal(later, interview.UpdatedAt);
        Assert.Single(interview.PendingEvents);
    }

    [Fact]
    public void Preparing_a_rescheduled_interview_keeps_its_time_and_history()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build(InterviewStatus.Rescheduled);
        var scheduledAt = interview.ScheduledAt;

        DomainAssert.Succeeded(interview.Prepare("Ready", true, true, true, builder.Now));

        Assert.Equal(InterviewStatus.Prepared, interview.Status);
        Assert.Equal(scheduledAt, interview.ScheduledAt);
        Assert.Single(interview.RescheduleHistory);
    }

    [Fact]
    public void Preparing_records_InterviewPrepared_with_what_was_prepared()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.Prepare(" Reviewed the products ", true, false, true, builder.Now));

        var prepared = DomainAssert.SingleEvent<InterviewPrepared>(interview);
        Assert.Equal(interview.Id, prepared.InterviewId);
        Assert.Equal(interview.UserId, prepared.UserId);
        Assert.Equal(builder.Now, prepared.PreparedAt);
        Assert.Equal("Reviewed the products", prepared.PreparationNotes);
        Assert.True(prepared.ResearchCompleted);
        Assert.False(prepared.QuestionsPrepped);
        Assert.True(prepared.MaterialsGathered);
    }
}
