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
    string? Timezone);

/// <summary>The contract's maxItems of <c>reminderMinutesBefore</c>.</summary>
public sealed class MaxReminderOffsets : IItemLimit
{
    public static int Max => NotificationSettings.MaxOffsets;
}

/// <param name="Email">Where reminders go: the chosen address, else the token's.</param>
/// <param name="EmailSource"><c>settings</c>, <c>token</c>, or null when there is no address (then no e-mail is sent).</param>
public sealed record NotificationSettingsResponse(
    string? Email,
    string? EmailSource,
    IReadOnlyList<int> ReminderMinutesBefore,
    bool NudgesEnabled,
    bool RemindersEnabled,
    string? Timezone)
{
    public static NotificationSettingsResponse From(NotificationSettings s) => new(
        s.EffectiveEmail, s.Email is not null ? "settings" : s.TokenEmail is not null ? "token" : null,
        s.ReminderMinutesBefore, s.NudgesEnabled, s.RemindersEnabled, s.Timezone);
}

/// <summary>GET and PUT /api/me/notification-settings: the caller's reminder preferences.</summary>
public sealed class NotificationSettingsApi(NotificationSettingsStore store)
{
    [Function("GetNotificationSettings")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/notification-settings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        await store.RememberTokenEmailAsync(userId, CurrentUser.Email(request), cancellationToken);
        var (settings, etag) = await store.GetAsync(userId, cancellationToken);
        return new JsonResult<NotificationSettingsResponse>(NotificationSettingsResponse.From(settings), etag: etag);
    }

    /// <summary>Replaces the settings; a field left out takes its default (24 h and 1 h before, nudges on, reminders on).</summary>
    [Function("PutNotificationSettings")]
    public async Task<IResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "me/notification-settings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (CurrentUser.Id(request) is not { } userId)
        {
            return Problems.Unauthenticated();
        }

        var body = await JsonBody.ReadAsync<NotificationSettingsRequest>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var ifMatch = IfMatch.From(request);
        var (current, etag) = await store.GetAsync(userId, cancellationToken);
        if (ifMatch.Present && (etag is null || !ifMatch.Matches(etag)))
        {
            return Problems.From(InterviewErrors.PreconditionFailed);
        }

        var r = body.Value!;
        var settings = NotificationSettings.Create(r.Email, r.ReminderMinutesBefore, r.NudgesEnabled, r.RemindersEnabled, r.Timezone, CurrentUser.Email(request) ?? current.TokenEmail);
        if (!settings.IsSuccess)
        {
            return Problems.From(settings.Error!);
        }

        var saved = await store.SaveAsync(userId, settings.Value, etag, cancellationToken);
        return saved.IsSuccess
            ? new JsonResult<NotificationSettingsResponse>(NotificationSettingsResponse.From(settings.Value), etag: saved.Value)
            : Problems.From(saved.Error!);
    }
}
