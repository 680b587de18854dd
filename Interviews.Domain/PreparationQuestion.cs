namespace Interviews.Domain;

/// <summary>A question the candidate expects in the interview, with their notes for the answer (trimmed; blank notes are none).</summary>
public sealed record PreparationQuestion(string Question, string? AnswerNotes);

/// <summary>A question as a client sent it, before validation: either part may be missing.</summary>
public sealed record PreparationQuestionInput(string? Question, string? AnswerNotes);
