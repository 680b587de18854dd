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
/// Parses interview types in both spellings the requirements use ("PhoneScreen" and "Phone Screen",
/// "InPerson" and "In-Person"), case-insensitively; numbers are not accepted.
/// </summary>
public static class InterviewTypes
{
    private static readonly Dictionary<string, InterviewType> ByName = BuildNames();

    public static string AllowedValues => string.Join(", ", Enum.GetNames<InterviewType>());

    /// <summary>The type as people read it in a sentence or a title: "Phone screen", "In-person", "Video".</summary>
    public static string Describe(InterviewType type) => type switch
    {
        InterviewType.PhoneScreen => "Phone screen",
        InterviewType.InPerson => "In-person",
        _ => type.ToString(),
    };

    public static bool TryParse(string? text, out InterviewType type)
    {
        type = default;
        return text is not null && ByName.TryGetValue(Normalize(text), out type);
    }

    // Spaces, hyphens and underscores are separators in the display spellings; dropping them maps
    // "Phone Screen", "phone-screen" and "PhoneScreen" to the same key.
    private static string Normalize(string text) =>
        string.Concat(text.Trim().Where(c => c is not (' ' or '-' or '_'))).ToUpperInvariant();

    private static Dictionary<string, InterviewType> BuildNames() =>
        Enum.GetValues<InterviewType>().ToDictionary(t => Normalize(t.ToString()), t => t, StringComparer.Ordinal);
}
