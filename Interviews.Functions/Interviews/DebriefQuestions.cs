using Interviews.Domain;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Interviews;

/// <summary>
/// The questions suggested for an open interview: those the candidate was asked in the completed
/// interviews of the same application scheduled before it (recorded at completion as
/// <c>questionsAsked</c>), each once — compared trimmed and without regard to case, the first wording
/// kept — in the order they were asked, leaving out those already among its preparation questions.
/// Read when the interview is answered, so that a debrief recorded later shows at once; one
/// single-partition query over the (kind, applicationId, scheduledAt, id) index.
/// </summary>
public sealed class DebriefQuestions(InterviewStore store)
{
    /// <summary>A guard for an application with very many rounds: at most this many suggestions.</summary>
    public const int MaxSuggestions = 100;

    public async Task<IReadOnlyList<string>> FindAsync(Interview interview, CancellationToken cancellationToken)
    {
        if (!InterviewTransitions.IsOpen(interview.Status))
        {
            return [];
        }

        var seen = new HashSet<string>(interview.PreparationQuestions.Select(q => q.Question), StringComparer.OrdinalIgnoreCase);
        var suggestions = new List<string>();
        var query = new InterviewQuery(ApplicationId: interview.ApplicationId, ScheduledBefore: interview.ScheduledAt, Limit: 200);
        do
        {
            // The status is checked here rather than in the query, so that the application's index serves it alone.
            var page = await store.ListAsync(interview.UserId, query, cancellationToken);
            foreach (var earlier in page.Items.Where(i => i.Status == InterviewStatus.Completed))
            {
                foreach (var question in earlier.QuestionsAsked)
                {
                    if (seen.Add(question.Trim()))
                    {
                        suggestions.Add(question);
                        if (suggestions.Count == MaxSuggestions)
                        {
                            return suggestions;
                        }
                    }
                }
            }

            query = query with { After = page.Next };
        }
        while (query.After is not null);

        return suggestions;
    }
}
