namespace Interviews.Domain;

/// <summary>
/// Reads an enum member by its exact name: the case and the characters as declared, nothing trimmed. Unlike
/// <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/> it takes no numbers ("2", "+2") and no comma lists
/// ("Completed,Prepared", which it would OR into another member). The API contract enumerates the same names.
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        if (text is null || !Array.Exists(Enum.GetNames<TEnum>(), n => n.Equals(text, StringComparison.Ordinal)))
        {
            return false;
        }

        value = Enum.Parse<TEnum>(text);
        return true;
    }

    public static string Allowed<TEnum>()
        where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>());
}
