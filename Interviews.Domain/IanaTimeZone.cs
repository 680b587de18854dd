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
            && !IsDatabaseFileThatIsNoZone(id)
            && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            && zone.HasIanaId)
        {
            return new IanaTimeZone(id, zone);
        }

        return Error.Validation(field, $"'{Truncate(id)}' is not an IANA time zone id (for example 'America/Los_Angeles').");
    }

    /// <summary>
    /// The tz database folder also holds files that load as zones but are not zone ids: the "posix/" and
    /// "right/" (leap-second) copies, "posixrules", "localtime" and "Factory". Calendars reject them.
    /// </summary>
    private static bool IsDatabaseFileThatIsNoZone(string id) =>
        id.StartsWith("posix/", StringComparison.OrdinalIgnoreCase)
        || id.StartsWith("right/", StringComparison.OrdinalIgnoreCase)
        || id.Equals("posixrules", StringComparison.OrdinalIgnoreCase)
        || id.Equals("localtime", StringComparison.OrdinalIgnoreCase)
        || id.Equals("Factory", StringComparison.OrdinalIgnoreCase)
        || id.StartsWith('/')
        || id.Contains("..", StringComparison.Ordinal);

    /// <summary>The wall-clock time of <paramref name="instant"/> in this zone, with its offset.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The wall-clock time of <paramref name="instant"/> in this zone as RFC 3339 with its offset, to the second: "2026-01-05T06:00:00-08:00".</summary>
    public string FormatLocal(DateTimeOffset instant) =>
        ToLocal(instant).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
