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
    string? Timezone)
{
    public const int MaxOffsets = 5;
    public const int MaxMinutesBefore = 7 * 24 * 60;

    public static NotificationSettings Default { get; } = new(null, null, [60, 24 * 60], true, true, null);

    public string? EffectiveEmail => Email ?? TokenEmail;

    /// <summary>Validates a user's choice; every invalid field is reported.</summary>
    public static Result<NotificationSettings> Create(string? email, IReadOnlyList<int>? minutesBefore, bool? nudges, bool? enabled, string? timezone, string? tokenEmail)
    {
        var errors = new ValidationErrors();
        var cleanEmail = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        if (cleanEmail is not null && !IsAddress(cleanEmail))
        {
            errors.Add("email", "Not an e-mail address.");
        }

        var offsets = minutesBefore ?? Default.ReminderMinutesBefore;
        if (offsets.Count > MaxOffsets)
        {
            errors.Add("reminderMinutesBefore", $"At most {MaxOffsets} reminders before an interview.");
        }

        for (var i = 0; i < offsets.Count; i++)
        {
            if (offsets[i] is < 0 or > MaxMinutesBefore)
            {
                errors.Add($"reminderMinutesBefore[{i}]", $"Minutes before the interview must be from 0 to {MaxMinutesBefore} (7 days).");
            }
        }

        if (offsets.Distinct().Count() != offsets.Count)
        {
            errors.Add("reminderMinutesBefore", "Each offset may be given once.");
        }

        string? zone = null;
        if (!string.IsNullOrWhiteSpace(timezone))
        {
            var parsed = IanaTimeZone.Create(timezone);
            errors.AddFrom(parsed.Error);
            zone = parsed.IsSuccess ? parsed.Value.Id : null;
        }

        if (errors.Any)
        {
            return errors.ToError();
        }

        return new NotificationSettings(cleanEmail, tokenEmail, [.. offsets.Order()], nudges ?? true, enabled ?? true, zone);
    }

    public static bool IsAddress(string text) =>
        text.Length <= 254 && MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address == text && text.Contains('@', StringComparison.Ordinal);
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
