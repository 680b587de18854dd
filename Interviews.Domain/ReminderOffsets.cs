namespace Interviews.Domain;

/// <summary>
/// Minutes before an interview at which reminders go out: the user's own in their notification
/// settings, and an interview's that override them. One rule for both: at most <see cref="MaxCount"/>
/// offsets, each from 0 to <see cref="MaxMinutesBefore"/> (7 days), each once.
/// </summary>
public static class ReminderOffsets
{
    public const int MaxCount = 5;
    public const int MaxMinutesBefore = 7 * 24 * 60;

    /// <summary>
    /// The offsets ascending, with every rule they break reported on <paramref name="field"/> (the list)
    /// and <c>field[i]</c> (an offset out of range).
    /// </summary>
    public static IReadOnlyList<int> Check(IReadOnlyList<int> offsets, string field, ValidationErrors errors)
    {
        if (offsets.Count > MaxCount)
        {
            errors.Add(field, $"At most {MaxCount} reminders before an interview.");
        }

        for (var i = 0; i < offsets.Count; i++)
        {
            if (offsets[i] is < 0 or > MaxMinutesBefore)
            {
                errors.Add($"{field}[{i}]", $"Minutes before the interview must be from 0 to {MaxMinutesBefore} (7 days).");
            }
        }

        if (offsets.Distinct().Count() != offsets.Count)
        {
            errors.Add(field, "Each offset may be given once.");
        }

        return [.. offsets.Order()];
    }
}
