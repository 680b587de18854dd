using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>The expected questions of a preparation: at most 50, each question 1–1,000 characters, notes at most 4,000.</summary>
public sealed class PreparationQuestionsTests
{
    private static List<PreparationQuestionInput?> Questions(int count, int questionLength = 20, int notesLength = 20) =>
        [.. Enumerable.Range(0, count).Select(i => (PreparationQuestionInput?)new PreparationQuestionInput(new string('q', questionLength), new string('a', notesLength)))];

    [Fact]
    public void Questions_are_stored_in_order_trimmed_and_recorded_in_the_event()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.Prepare(null, true, true, true, builder.Now,
            [new(" Why this company? ", " Mission \n"), new("Tell me about a failure", "   "), new("System design", null)]));

        Assert.Equal(
            [new PreparationQuestion("Why this company?", "Mission"), new PreparationQuestion("Tell me about a failure", null), new PreparationQuestion("System design", null)],
            interview.PreparationQuestions);
        var prepared = DomainAssert.SingleEvent<InterviewPrepared>(interview);
        Assert.Equal(interview.PreparationQuestions, prepared.Questions);
    }

    [Fact]
    public void Fifty_questions_at_their_bounds_are_accepted()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();

        DomainAssert.Succeeded(interview.Prepare(null, false, true, false, builder.Now, Questions(50, 1_000, 4_000)));

        Assert.Equal(50, interview.PreparationQuestions.Count);
        Assert.All(interview.PreparationQuestions, q => Assert.Equal((1_000, 4_000), (q.Question.Length, q.AnswerNotes!.Length)));
    }

    [Fact]
    public void Fifty_one_questions_are_rejected_and_nothing_changes()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Prepare(null, true, true, true, builder.Now, Questions(51)));

        DomainAssert.InvalidFields(error, "questions");
    }

    [Fact]
    public void A_question_of_1001_characters_is_rejected_by_its_index()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        var questions = Questions(5);
        questions[3] = new PreparationQuestionInput(new string('q', 1_001), null);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Prepare(null, true, true, true, builder.Now, questions));

        DomainAssert.InvalidFields(error, "questions[3].question");
    }

    [Fact]
    public void Answer_notes_of_4001_characters_are_rejected_by_their_index()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        var questions = Questions(2);
        questions[1] = new PreparationQuestionInput("Why us?", new string('a', 4_001));

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Prepare(null, true, true, true, builder.Now, questions));

        DomainAssert.InvalidFields(error, "questions[1].answerNotes");
    }

    [Fact]
    public void Blank_or_missing_questions_and_null_entries_are_each_reported_with_the_other_fields()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        List<PreparationQuestionInput?> questions = [new("  ", "notes"), null, new(null, null), new("fine", null)];

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Prepare(new string('p', 10_001), true, true, true, builder.Now, questions));

        DomainAssert.InvalidFields(error, "preparationNotes", "questions[0].question", "questions[1]", "questions[2].question");
    }

    [Fact]
    public void Preparing_again_replaces_the_questions_and_no_questions_drops_them()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        DomainAssert.Succeeded(interview.Prepare(null, true, true, true, builder.Now, Questions(3)));

        DomainAssert.Succeeded(interview.Prepare(null, true, true, true, builder.Now, [new("Only this", null)]));
        Assert.Equal([new PreparationQuestion("Only this", null)], interview.PreparationQuestions);

        DomainAssert.Succeeded(interview.Prepare(null, true, true, true, builder.Now));
        Assert.Empty(interview.PreparationQuestions);
    }

    [Fact]
    public void Questions_survive_a_snapshot_round_trip_and_old_snapshots_have_none()
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build();
        DomainAssert.Succeeded(interview.Prepare(null, true, true, true, builder.Now, Questions(2)));

        var restored = Interview.Restore(interview.ToSnapshot());
        Assert.Equal(interview.PreparationQuestions, restored.PreparationQuestions);
        Assert.Equal(DomainAssert.Json(interview), DomainAssert.Json(restored));

        var old = Interview.Restore(interview.ToSnapshot() with { PreparationQuestions = null });
        Assert.Empty(old.PreparationQuestions);
    }

    [Theory]
    [InlineData(InterviewStatus.Completed)]
    [InlineData(InterviewStatus.Cancelled)]
    public void The_status_rule_comes_before_the_questions(InterviewStatus status)
    {
        var builder = new InterviewBuilder();
        var interview = builder.Build(status);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Prepare(null, true, true, true, builder.Now, Questions(51)));

        DomainAssert.InvalidState(error, "prepare-not-allowed");
    }
}
