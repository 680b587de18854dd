namespace Interviews.Domain;

/// <summary>
/// Reads an enum member by its exact name, case-insensitively. Unlike <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>
/// it takes no numbers ("2", "+2") and no comma lists ("Completed,Prepared", which it would OR into another member).
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var name = Array.Find(Enum.GetNames<TEnum>(), n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            return false;
        }

        value = Enum.Parse<TEnum>(name);
        return true;
    }

    public static string Allowed<TEnum>()
        where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>());
}
