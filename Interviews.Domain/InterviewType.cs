namespace Interviews.Domain;

/// <summary>The kind of interview. The canonical spelling is the member name ("PhoneScreen").</summary>
public enum InterviewType
{
    PhoneScreen,
    Video,
    InPerson,
    Technical,
    Panel,
    Final,
}

/// <summary>
/// Parses interview types as requests may write them: a member name ("PhoneScreen") or one of the
/// requirements' display spellings, "Phone Screen" and "In-Person", exactly as written (no other case,
/// spacing or separator); numbers are not accepted. Answers always use the member names.
/// </summary>
public static class InterviewTypes
{
    /// <summary>Every spelling a request may use: the member names, then the display spellings.</summary>
    public static IReadOnlyList<string> RequestSpellings { get; } = [.. Enum.GetNames<InterviewType>(), "Phone Screen", "In-Person"];

    private static readonly Dictionary<string, InterviewType> BySpelling = new(StringComparer.Ordinal)
    {
        ["Phone Screen"] = InterviewType.PhoneScreen,
        ["In-Person"] = InterviewType.InPerson,
    };

    public static string AllowedValues => string.Join(", ", RequestSpellings);

    /// <summary>The type as people read it in a sentence or a title: "Phone screen", "In-person", "Video".</summary>
    public static string Describe(InterviewType type) => type switch
    {
        InterviewType.PhoneScreen => "Phone screen",
        InterviewType.InPerson => "In-person",
        _ => type.ToString(),
    };

    public static bool TryParse(string? text, out InterviewType type) =>
        EnumNames.TryParse(text, out type) || (text is not null && BySpelling.TryGetValue(text, out type));
}
