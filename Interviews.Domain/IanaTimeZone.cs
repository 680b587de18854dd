namespace Interviews.Domain;

/// <summary>
/// An IANA time zone id ("America/Los_Angeles") known to this machine's time zone database.
/// Windows ids ("Pacific Standard Time") and fixed offsets are rejected: calendars and reminders
/// need the zone's real rules, and every client platform speaks IANA.
/// </summary>
public sealed record IanaTimeZone
{
    private IanaTimeZone(string id, TimeZoneInfo zone)
    {
        Id = id;
        Zone = zone;
    }

    public string Id { get; }

    public TimeZoneInfo Zone { get; }

    public static Result<IanaTimeZone> Create(string? id, string field = "timezone")
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return Error.Validation(field, "The timezone is required (an IANA zone id such as 'Europe/London').");
        }

        if (id.Length <= 100
            && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            && zone.HasIanaId)
        {
            return new IanaTimeZone(id, zone);
        }

        return Error.Validation(field, $"'{Truncate(id)}' is not an IANA time zone id (for example 'America/Los_Angeles').");
    }

    /// <summary>The wall-clock time of <paramref name="instant"/> in this zone, with its offset.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
