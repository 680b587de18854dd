using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>The debrief's questions at completion: the limits of the preparation's questions (at most 50, each 1–1,000 characters).</summary>
public sealed class QuestionsAskedTests
{
    private readonly InterviewBuilder _builder = new();

    private Interview Started(out DateTimeOffset now)
    {
        var interview = _builder.Build();
        now = interview.ScheduledAt.AddHours(1);
        return interview;
    }

    [Fact]
    public void Questions_asked_are_stored_in_order_trimmed_and_recorded_in_the_event()
    {
        var interview = Started(out var now);

        DomainAssert.Succeeded(interview.Complete(null, null, 4, null, null, false, now, [" Why this company? ", "Design a URL shortener"]));

        Assert.Equal(["Why this company?", "Design a URL shortener"], interview.QuestionsAsked);
        Assert.Equal(interview.QuestionsAsked, DomainAssert.SingleEvent<InterviewCompleted>(interview).QuestionsAsked);
    }

    [Fact]
    public void Fifty_questions_of_1000_characters_are_accepted()
    {
        var interview = Started(out var now);

        DomainAssert.Succeeded(interview.Complete(null, null, null, null, null, false, now, [.. Enumerable.Repeat(new string('q', 1_000), 50)]));

        Assert.Equal(50, interview.QuestionsAsked.Count);
    }

    [Fact]
    public void Fifty_one_questions_are_rejected_and_nothing_changes()
    {
        var interview = Started(out var now);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Complete(null, null, null, null, null, false, now, [.. Enumerable.Repeat("Why us?", 51)]));

        DomainAssert.InvalidFields(error, "questionsAsked");
    }

    [Fact]
    public void A_question_of_1001_characters_or_a_blank_one_is_rejected_by_its_index()
    {
        var interview = Started(out var now);

        var error = DomainAssert.RefusedWithoutChange(interview, i => i.Complete(null, null, null, null, null, false, now, ["Why us?", new string('q', 1_001), "  ", null]));

        DomainAssert.InvalidFields(error, "questionsAsked[1]", "questionsAsked[2]", "questionsAsked[3]");
    }

    [Fact]
    public void Without_questions_none_are_kept()
    {
        var interview = Started(out var now);

        DomainAssert.Succeeded(interview.Complete(null, null, null, null, null, false, now));

        Assert.Empty(interview.QuestionsAsked);
    }
}
