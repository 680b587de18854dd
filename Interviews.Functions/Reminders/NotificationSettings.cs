using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using System.Text.Json;
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

/// <summary>Stores each user's <see cref="NotificationSettings"/> as one document in their partition.</summary>
public sealed class NotificationSettingsStore(IDocumentContainer container, TimeProvider time)
{
    public const string Kind = "notification-settings";
    public const string DocumentId = "notification-settings";
    public const string ChangedEventType = "NotificationSettingsChanged";

    public async Task<(NotificationSettings Settings, string? ETag)> GetAsync(Guid userId, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(userId.ToString("D"), DocumentId, cancellationToken);
        return document is null
            ? (NotificationSettings.Default, null)
            : (JsonSerializer.Deserialize<NotificationSettings>(document.Json, StorageJson.Options)!, document.ETag);
    }

    /// <summary>Saves the settings with a "settings changed" event (the planner re-plans the user's reminders).</summary>
    public async Task<Result<string>> SaveAsync(Guid userId, NotificationSettings settings, string? etag, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var eventId = Guid.CreateVersion7(now);
        var json = JsonSerializer.Serialize(settings, StorageJson.Options);
        var changed = JsonSerializer.Serialize(
            new EventDocument(ChangedEventType, Guid.Empty, userId, now, JsonSerializer.SerializeToElement(settings, StorageJson.Options)), StorageJson.Options);
        var outcome = await container.WriteAsync(
            userId.ToString("D"),
            [
                etag is null ? DocumentWrite.Create(DocumentId, Kind, json) : DocumentWrite.Replace(DocumentId, Kind, json, etag),
                DocumentWrite.Create(eventId.ToString("D"), EventDocument.Kind, changed),
            ],
            cancellationToken);
        if (outcome.Failure == WriteFailure.Unavailable)
        {
            return InterviewStore.StoreUnavailable;
        }

        return outcome.IsSuccess
            ? outcome.ETags[0]!
            : new Error(ErrorKind.PreconditionFailed, "settings-changed", "The settings changed meanwhile; read them again.");
    }

    /// <summary>
    /// Keeps the token's e-mail address, the default recipient of reminders, when it is new or changed.
    /// A point read on every call; a write only when the address differs. Losing a race here is harmless.
    /// </summary>
    public async Task RememberTokenEmailAsync(Guid userId, string? tokenEmail, CancellationToken cancellationToken)
    {
        if (tokenEmail is null || !NotificationSettings.IsAddress(tokenEmail))
        {
            return;
        }

        var (settings, etag) = await GetAsync(userId, cancellationToken);
        if (settings.TokenEmail == tokenEmail)
        {
            return;
        }

        var json = JsonSerializer.Serialize(settings with { TokenEmail = tokenEmail }, StorageJson.Options);
        await container.WriteAsync(
            userId.ToString("D"),
            [etag is null ? DocumentWrite.Create(DocumentId, Kind, json) : DocumentWrite.Replace(DocumentId, Kind, json, etag)],
            cancellationToken);
    }
}
