using Interviews.Functions.Auth;
using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using Interviews.Domain;
using Interviews.Functions.Storage;
using MimeKit;

namespace Interviews.Functions.Reminders;

/// <summary>
/// A user's reminder preferences. <see cref="Email"/> is the address they chose; when it is null
/// reminders go to <see cref="TokenEmail"/>, the <c>email</c> claim of their latest token.
/// </summary>
public sealed record NotificationSettings(
    string? Email,
    string? TokenEmail,
    IReadOnlyList<int> ReminderMinutesBefore,
    bool NudgesEnabled,
    bool RemindersEnabled,
    string? Timezone,
    QuietHours? QuietHours = null,
    TimeOnly? MorningDigestAt = null)
{
    public static NotificationSettings Default { get; } = new(null, null, [60, 24 * 60], true, true, null);

    public string? EffectiveEmail => Email ?? TokenEmail;

    /// <summary>Validates a user's choice; every invalid field is reported.</summary>
    public static Result<NotificationSettings> Create(string? email, IReadOnlyList<int>? minutesBefore, bool? nudges, bool? enabled, string? timezone, string? tokenEmail, QuietHoursRequest? quietHours = null, string? morningDigestAt = null)
    {
        var errors = new ValidationErrors();
        var cleanEmail = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        if (cleanEmail is not null && !IsAddress(cleanEmail))
        {
            errors.Add("email", "Not an e-mail address.");
        }

        var offsets = ReminderOffsets.Check(minutesBefore ?? Default.ReminderMinutesBefore, "reminderMinutesBefore", errors);

        string? zone = null;
        if (!string.IsNullOrWhiteSpace(timezone))
        {
            var parsed = IanaTimeZone.Create(timezone);
            errors.AddFrom(parsed.Error);
            zone = parsed.IsSuccess ? parsed.Value.Id : null;
        }

        var quiet = quietHours is null ? null : Reminders.QuietHours.Create(quietHours.Start, quietHours.End, errors);
        var digest = morningDigestAt is null ? null : Reminders.QuietHours.ParseTime(morningDigestAt, "morningDigestAt", errors);
        if (errors.Any)
        {
            return errors.ToError();
        }

        return new NotificationSettings(cleanEmail, tokenEmail, offsets, nudges ?? true, enabled ?? true, zone, quiet, digest);
    }

    public static bool IsAddress(string text) =>
        text.Length <= 254 && MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address == text && text.Contains('@', StringComparison.Ordinal);
}

/// <summary>Quiet hours as asked for: two times of day, <c>HH:mm</c>.</summary>
public sealed record QuietHoursRequest(string? Start, string? End);

/// <summary>
/// The hours of the day, in the user's zone (else the interview's), when no reminder should arrive:
/// from <see cref="Start"/> up to <see cref="End"/>, across midnight when the end comes first
/// (22:00–07:00). A reminder that would fall in them goes <see cref="Ahead"/> before they begin — earlier,
/// so never after the interview it is about.
/// </summary>
public sealed record QuietHours(TimeOnly Start, TimeOnly End)
{
    public static readonly TimeSpan Ahead = TimeSpan.FromMinutes(1);

    public static QuietHours? Create(string? start, string? end, ValidationErrors errors)
    {
        var from = ParseTime(start, "quietHours.start", errors);
        var to = ParseTime(end, "quietHours.end", errors);
        if (from is { } s && to is { } e)
        {
            if (s == e)
            {
                errors.Add("quietHours", "Quiet hours must end at another time than they start.");
                return null;
            }

            return new QuietHours(s, e);
        }

        return null;
    }

    /// <summary>When to send what is due at <paramref name="due"/>: that instant outside quiet hours, else just before the quiet hours it falls in began.</summary>
    public DateTimeOffset Shift(DateTimeOffset due, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(due, zone).DateTime;
        var time = TimeOnly.FromDateTime(local);
        var acrossMidnight = End < Start;
        var inside = acrossMidnight ? time >= Start || time < End : time >= Start && time < End;
        if (!inside)
        {
            return due;
        }

        var day = DateOnly.FromDateTime(local);
        var began = day.AddDays(acrossMidnight && time < End ? -1 : 0).ToDateTime(Start);
        return Instant(began, zone) - Ahead;
    }

    /// <summary>A local time as an instant: one skipped by a clock change is read as the first time after the gap, a repeated one as its first occurrence.</summary>
    internal static DateTimeOffset Instant(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>A time of day as <c>HH:mm</c>; an error on <paramref name="field"/> otherwise.</summary>
    internal static TimeOnly? ParseTime(string? text, string field, ValidationErrors errors)
    {
        if (text is { Length: 5 } && TimeOnly.TryParseExact(text, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time))
        {
            return time;
        }

        errors.Add(field, "A time of day as HH:mm (00:00 to 23:59).");
        return null;
    }
}

/// <summary>A user changed their notification settings: their reminders are planned again. Carries no settings (no address): handlers read the current ones.</summary>
public sealed record NotificationSettingsChanged(Guid EventId, Guid UserId, DateTimeOffset OccurredAt) : IEvent;

/// <summary>Stores each user's <see cref="NotificationSettings"/> as one document in their partition.</summary>
public sealed class NotificationSettingsStore(IDocumentContainer container, EventCatalog events, StorageSettings storage, TimeProvider time)
{
    public const string Kind = "notification-settings";

    private readonly DocumentKind<NotificationSettings> _settings = new(container, Kind, _ => Kind);

    public async Task<(NotificationSettings Settings, string? ETag)> GetAsync(Guid userId, CancellationToken cancellationToken) =>
        await _settings.ReadAsync(Partition(userId), Kind, cancellationToken) is { } stored
            ? (stored.Value, stored.ETag)
            : (NotificationSettings.Default, null);

    /// <summary>Saves the settings with a <see cref="NotificationSettingsChanged"/> event (the planner re-plans the user's reminders); null when they changed meanwhile.</summary>
    public async Task<string?> SaveAsync(Guid userId, NotificationSettings settings, string? etag, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcome = await container.WriteAsync(
            Partition(userId),
            [
                _settings.Write(Kind, settings, etag),
                events.Write(new NotificationSettingsChanged(Guid.CreateVersion7(now), userId, now), storage.EventTimeToLive),
            ],
            cancellationToken);
        return outcome.IsSuccess ? outcome.ETags[0] : null;
    }

    /// <summary>
    /// The write that keeps the token's e-mail address, the default recipient of reminders, when it is
    /// new or changed; null when it is known already or is no address. A point read on every call.
    /// </summary>
    public async Task<DocumentWrite?> RememberTokenEmailAsync(Guid userId, string? tokenEmail, CancellationToken cancellationToken)
    {
        if (tokenEmail is null || !NotificationSettings.IsAddress(tokenEmail))
        {
            return null;
        }

        var (settings, etag) = await GetAsync(userId, cancellationToken);
        return settings.TokenEmail == tokenEmail ? null : _settings.Write(Kind, settings with { TokenEmail = tokenEmail }, etag);
    }

    /// <summary>Writes <see cref="RememberTokenEmailAsync"/>'s document alone; losing a race here is harmless (the next request remembers it).</summary>
    public async Task RememberTokenEmailNowAsync(Guid userId, string? tokenEmail, CancellationToken cancellationToken)
    {
        if (await RememberTokenEmailAsync(userId, tokenEmail, cancellationToken) is { } write)
        {
            await container.WriteAsync(Partition(userId), [write], cancellationToken);
        }
    }

    private static string Partition(Guid userId) => userId.ToString("D");
}

/// <summary>
/// The token's e-mail address goes in the same write as a newly scheduled interview: the first
/// interview's reminders then have somewhere to go, and a failed schedule remembers nothing.
/// </summary>
public sealed class TokenEmailCompanion(NotificationSettingsStore settings) : IScheduleCompanion
{
    public Task<DocumentWrite?> WriteWithAsync(CurrentUser user, CancellationToken cancellationToken) =>
        settings.RememberTokenEmailAsync(user.Id, user.Email, cancellationToken);
}
