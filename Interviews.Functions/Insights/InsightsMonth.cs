using System.Globalization;

namespace Interviews.Functions.Insights;

/// <summary>A UTC calendar month, as a month index (year × 12 + month − 1) so that arithmetic is plain.</summary>
public readonly record struct InsightsMonth(int Index)
{
    public static InsightsMonth Min { get; } = new(12); // 0001-01

    public static InsightsMonth Max { get; } = new((9999 * 12) + 11); // 9999-12

    public int Year => Index / 12;

    public int Month => (Index % 12) + 1;

    public static InsightsMonth Of(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return new((utc.Year * 12) + utc.Month - 1);
    }

    public static InsightsMonth Of(int year, int month) => new((year * 12) + month - 1);

    /// <summary>Adds months, staying within 0001-01 … 9999-12.</summary>
    public InsightsMonth Plus(int months) => new((int)Math.Clamp((long)Index + months, Min.Index, Max.Index));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");
}
