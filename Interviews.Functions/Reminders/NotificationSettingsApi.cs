using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Reminders;

public sealed record NotificationSettingsRequest(
    string? Email,
    BoundedList<int, MaxReminderOffsets>? ReminderMinutesBefore,
    bool? NudgesEnabled,
    bool? RemindersEnabled,
    string? Timezone,
    QuietHoursRequest? QuietHours,
    string? MorningDigestAt);

/// <summary>The contract's maxItems of <c>reminderMinutesBefore</c>.</summary>
public sealed class MaxReminderOffsets : IItemLimit
{
    public static int Max => ReminderOffsets.MaxCount;
}

/// <param name="Email">Where reminders go: the chosen address, else the token's.</param>
/// <param name="EmailSource"><c>settings</c>, <c>token</c>, or null when there is no address (then no e-mail is sent).</param>
public sealed record NotificationSettingsResponse(
    string? Email,
    string? EmailSource,
    IReadOnlyList<int> ReminderMinutesBefore,
    bool NudgesEnabled,
    bool RemindersEnabled,
    string? Timezone,
    QuietHoursResponse? QuietHours,
    string? MorningDigestAt)
{
    public static NotificationSettingsResponse From(NotificationSettings s) => new(
        s.EffectiveEmail, s.Email is not null ? "settings" : s.TokenEmail is not null ? "token" : null,
        s.ReminderMinutesBefore, s.NudgesEnabled, s.RemindersEnabled, s.Timezone,
        s.QuietHours is { } q ? new QuietHoursResponse(Time(q.Start), Time(q.End)) : null,
        s.MorningDigestAt is { } digest ? Time(digest) : null);

    private static string Time(TimeOnly time) => time.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Quiet hours in the user's zone, <c>HH:mm</c>.</summary>
public sealed record QuietHoursResponse(string Start, string End);

/// <summary>GET and PUT /api/me/notification-settings: the caller's reminder preferences.</summary>
public sealed class NotificationSettingsApi(NotificationSettingsStore store)
{
    private static readonly Error SettingsChanged = new(ErrorKind.PreconditionFailed, "etag-mismatch", "The settings have changed since the ETag in If-Match was read; read them again.");

    private static readonly Error ChangedMeanwhile = new(ErrorKind.PreconditionFailed, "settings-changed", "The settings changed meanwhile; read them again.");

    [Function("GetNotificationSettings")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/notification-settings")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        await store.RememberTokenEmailNowAsync(user.Id, user.Email, cancellationToken);
        var (settings, etag) = await store.GetAsync(user.Id, cancellationToken);
        return new JsonResult<NotificationSettingsResponse>(NotificationSettingsResponse.From(settings), etag: etag);
    }

    /// <summary>Replaces the settings; a field left out takes its default (24 h and 1 h before, nudges on, reminders on).</summary>
    [Function("PutNotificationSettings")]
    public async Task<IResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "me/notification-settings")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<NotificationSettingsRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var ifMatch = IfMatch.From(request);
        var (current, etag) = await store.GetAsync(user.Id, cancellationToken);
        if (ifMatch.Present && (etag is null || !ifMatch.Matches(etag)))
        {
            return Problems.From(SettingsChanged);
        }

        var r = body.Value!;
        var settings = NotificationSettings.Create(r.Email, r.ReminderMinutesBefore, r.NudgesEnabled, r.RemindersEnabled, r.Timezone, user.Email ?? current.TokenEmail, r.QuietHours, r.MorningDigestAt);
        if (!settings.IsSuccess)
        {
            return Problems.From(settings.Error!);
        }

        return await store.SaveAsync(user.Id, settings.Value, etag, cancellationToken) is { } saved
            ? new JsonResult<NotificationSettingsResponse>(NotificationSettingsResponse.From(settings.Value), etag: saved)
            : Problems.From(ChangedMeanwhile);
    }
}
