using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Interviews.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Calendar;

/// <summary>A notification as the webhook read it: the channel it names, the secret it carries, and (Graph lifecycle) the event.</summary>
public sealed record PushNotification(string? ChannelId, string? Secret, string? LifecycleEvent = null)
{
    /// <summary>Keeps the secret out of any accidental string formatting (logs, exceptions).</summary>
    public override string ToString() => $"PushNotification {{ ChannelId = {ChannelId}, LifecycleEvent = {LifecycleEvent} }}";
}

/// <summary>
/// Push notifications from the calendars (on when <see cref="CalendarSettings.WebhookBaseUrl"/> is set): one
/// channel per connection — a Google <c>events.watch</c> channel or a Graph subscription on <c>me/events</c> —
/// made on connect and at a connection sync whose channel is missing or expiring, renewed before it lapses
/// (Graph: PATCH; Google: a new channel, then the old one stopped), stopped on disconnect and erasure.
/// A notification that checks out (the channel's lookup exists and its secret matches, compared in constant
/// time; for Google a message number above the last seen) only asks for a sync of that connection
/// (<see cref="ICalendarSyncRequests"/>, so a burst collapses into one incremental read): it never carries
/// the change itself, so a replayed one can at most cause a harmless read. Anything else is ignored, and
/// the webhooks answer the same either way.
/// </summary>
public sealed partial class CalendarPush(
    CalendarStore store,
    CalendarSync sync,
    IEnumerable<ICalendarClient> clients,
    CalendarSettings settings,
    ICalendarSyncRequests syncRequests,
    TimeProvider time,
    ILogger<CalendarPush> logger)
{
    /// <summary>Google allows channel ids of up to 64 characters and tokens of up to 256; Graph's ids are GUIDs and clientState is at most 128.</summary>
    public const int MaxChannelIdLength = 64;

    public const int MaxSecretLength = 256;

    /// <summary>What an unknown channel's secret is compared with, so that a lookup that found nothing costs the same comparison.</summary>
    private static readonly byte[] NoChannel = SHA256.HashData(RandomNumberGenerator.GetBytes(32));

    /// <summary>Makes or renews the connection's channel when it has none or it expires within the margin; a provider failure is logged and left to the next sync.</summary>
    public async Task EnsureAsync(Guid userId, string provider, CancellationToken cancellationToken)
    {
        if (settings.PushEnabled && await store.GetConnectionAsync(userId, provider, cancellationToken) is { Connection: var connection })
        {
            await EnsureAsync(userId, connection, cancellationToken);
        }
    }

    /// <inheritdoc cref="EnsureAsync(Guid, string, CancellationToken)"/>
    public async Task EnsureAsync(Guid userId, CalendarConnection connection, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var old = connection.Push;
        if (!settings.PushEnabled || connection.Status != ConnectionStatus.Connected
            || (old is { RenewNow: false } && old.ExpiresAt > now + settings.PushRenewalMargin))
        {
            return;
        }

        var provider = connection.Provider;
        var client = clients.Single(c => c.Provider == provider);
        var lifetime = provider == CalendarProviders.Google ? settings.GoogleChannelLifetime : settings.GraphSubscriptionLifetime;
        try
        {
            await sync.WithAccessTokenAsync(userId, provider, async (token, callCancelled) =>
            {
                if (old is not null && old.ExpiresAt > now && await store.FindPushChannelAsync(provider, old.Id, cancellationToken) is { } lookup
                    && await client.RenewWatchAsync(token, old, now + lifetime, callCancelled) is { } renewed)
                {
                    await store.SavePushChannelAsync(old.Id, lookup.Value with { ExpiresAt = renewed }, lookup.ETag, cancellationToken);
                    await ReplaceAsync(userId, provider, old, old with { ExpiresAt = renewed, RenewNow = false }, cancellationToken);
                    LogRenewed(logger, provider);
                    return true;
                }

                var secret = CalendarOAuth.NewSecret();
                var request = new PushRequest(
                    Guid.NewGuid().ToString("N"),
                    secret,
                    settings.NotificationUri(provider == CalendarProviders.Google ? CalendarSettings.GoogleNotificationsRoute : CalendarSettings.MicrosoftNotificationsRoute),
                    provider == CalendarProviders.Google ? null : settings.NotificationUri(CalendarSettings.MicrosoftLifecycleRoute),
                    now + lifetime);
                var lookupOf = (DateTimeOffset expiresAt) => new PushChannelLookup(userId, provider, CalendarStore.Hash(secret), expiresAt, 0);
                if (provider == CalendarProviders.Google)
                {
                    // Google's first message ("sync") may arrive before events.watch has answered: its lookup is there first.
                    await store.SavePushChannelAsync(request.ChannelId, lookupOf(request.ExpiresAt), null, cancellationToken);
                }

                PushChannel created;
                try
                {
                    created = await client.WatchAsync(token, request, callCancelled);
                }
                catch
                {
                    if (provider == CalendarProviders.Google)
                    {
                        await store.DeletePushChannelAsync(provider, request.ChannelId, CancellationToken.None);
                    }

                    throw;
                }

                // The expiry the provider granted; Google's handshake may have counted a message meanwhile, which stays.
                var current = await store.FindPushChannelAsync(provider, created.Id, cancellationToken);
                await store.SavePushChannelAsync(created.Id, current is { } c ? c.Value with { ExpiresAt = created.ExpiresAt } : lookupOf(created.ExpiresAt), current?.ETag, cancellationToken);
                if (!await ReplaceAsync(userId, provider, old, created, cancellationToken))
                {
                    // Another sync made a channel meanwhile (or the connection went): one channel per connection.
                    await StopQuietlyAsync(client, token, provider, created, callCancelled);
                    return false;
                }

                LogWatched(logger, provider);
                if (old is not null)
                {
                    await StopQuietlyAsync(client, token, provider, old, callCancelled);
                }

                return true;
            }, cancellationToken);
        }
        catch (Exception e) when (e is CalendarApiException or GrantRevokedException or ConnectionBusyException)
        {
            // The connection's next sync tries again; until then the reconcile timer still reads its changes.
            LogWatchFailed(logger, provider, e is CalendarApiException api ? api.Status : 0, e.GetType().Name);
        }
    }

    /// <summary>Stops the connection's channel at the provider (best effort) and deletes its lookup (always): on disconnect and erasure, while the tokens still exist.</summary>
    public async Task StopAsync(Guid userId, CalendarConnection connection, CancellationToken cancellationToken)
    {
        if (connection.Push is not { } channel)
        {
            return;
        }

        var client = clients.Single(c => c.Provider == connection.Provider);
        try
        {
            await sync.WithAccessTokenAsync(userId, connection.Provider, async (token, callCancelled) =>
            {
                await client.StopWatchAsync(token, channel, callCancelled);
                return true;
            }, cancellationToken);
        }
        catch (Exception e) when (e is CalendarApiException or GrantRevokedException or ConnectionBusyException or HttpRequestException)
        {
            // Its notifications are ignored from now on (no lookup), and the provider lets it lapse.
            LogStopFailed(logger, connection.Provider);
        }
        finally
        {
            await store.DeletePushChannelAsync(connection.Provider, channel.Id, CancellationToken.None);
        }
    }

    /// <summary>
    /// A Google notification (headers X-Goog-Channel-ID, -Token, -Resource-State, -Message-Number). <c>sync</c>
    /// is the handshake after <c>events.watch</c>: nothing changed yet. Any other state asks for a sync.
    /// </summary>
    public async Task OnGoogleAsync(PushNotification notification, string? state, string? messageNumber, CancellationToken cancellationToken)
    {
        if (await VerifyAsync(CalendarProviders.Google, notification, cancellationToken) is not { } found)
        {
            return;
        }

        // Google numbers a channel's messages upwards; one not above the last seen is a replay (or a late retry).
        if (!long.TryParse(messageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            LogIgnored(logger, CalendarProviders.Google, "no message number");
            return;
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (number <= found.Value.LastMessageNumber)
            {
                LogIgnored(logger, CalendarProviders.Google, "replayed message number");
                return;
            }

            if (await store.SavePushChannelAsync(notification.ChannelId!, found.Value with { LastMessageNumber = number }, found.ETag, cancellationToken))
            {
                break;
            }

            if (await store.FindPushChannelAsync(CalendarProviders.Google, notification.ChannelId!, cancellationToken) is not { } again)
            {
                return;
            }

            found = again;
        }

        if (state != "sync")
        {
            await syncRequests.RequestAsync(found.Value.OwnerId, CalendarProviders.Google, "push", cancellationToken);
            LogAccepted(logger, CalendarProviders.Google, found.Value.OwnerId);
        }
    }

    /// <summary>
    /// A batch of Graph change notifications, or (with a lifecycle event) lifecycle notifications: each value's
    /// clientState is checked against its subscription's. A change asks for a sync; <c>reauthorizationRequired</c>
    /// and <c>subscriptionRemoved</c> also mark the subscription for renewal (the sync renews it, or makes a new
    /// one when Graph no longer knows it), and <c>missed</c> only resyncs: every lifecycle event ends in a sync.
    /// </summary>
    public async Task OnGraphAsync(IReadOnlyList<PushNotification> notifications, CancellationToken cancellationToken)
    {
        var requested = new HashSet<Guid>();
        foreach (var notification in notifications)
        {
            if (await VerifyAsync(CalendarProviders.Outlook, notification, cancellationToken) is not { } found)
            {
                continue;
            }

            var owner = found.Value.OwnerId;
            if (notification.LifecycleEvent is "reauthorizationRequired" or "subscriptionRemoved")
            {
                await store.UpdateConnectionAsync(owner, CalendarProviders.Outlook, c => c.Push is { } p && p.Id == notification.ChannelId ? c with { Push = p with { RenewNow = true } } : c, cancellationToken);
            }

            if (notification.LifecycleEvent is not null)
            {
                LogLifecycle(logger, notification.LifecycleEvent);
            }

            if (requested.Add(owner))
            {
                await syncRequests.RequestAsync(owner, CalendarProviders.Outlook, notification.LifecycleEvent is null ? "push" : "push-lifecycle", cancellationToken);
                LogAccepted(logger, CalendarProviders.Outlook, owner);
            }
        }
    }

    /// <summary>
    /// The push renewal timer: asks for a sync of every connection whose channel expires within the margin
    /// (the sync renews it, <see cref="EnsureAsync(Guid, CalendarConnection, CancellationToken)"/>), each a
    /// message of its own on the connection syncs' queue. Returns how many were asked for.
    /// </summary>
    public async Task<int> RenewDueAsync(CancellationToken cancellationToken)
    {
        if (!settings.PushEnabled)
        {
            return 0;
        }

        var asked = 0;
        var before = time.GetUtcNow() + settings.PushRenewalMargin;
        DocumentCursor? cursor = null;
        do
        {
            var (items, next) = await store.ListPushChannelsExpiringAsync(before, cursor, cancellationToken);
            foreach (var item in items)
            {
                await syncRequests.RequestAsync(item.OwnerId, item.Provider, "push-renewal", cancellationToken);
                asked++;
            }

            cursor = next;
        }
        while (cursor is not null);

        LogRenewalsQueued(logger, asked);
        return asked;
    }

    /// <summary>
    /// The channel's lookup if the notification's secret is its secret. Constant in shape: a well-formed
    /// notification costs one point read and one fixed-time comparison whether or not the channel exists.
    /// </summary>
    private async Task<Stored<PushChannelLookup>?> VerifyAsync(string provider, PushNotification notification, CancellationToken cancellationToken)
    {
        if (!settings.PushEnabled || notification.ChannelId is not { Length: > 0 and <= MaxChannelIdLength } channelId
            || notification.Secret is not { Length: > 0 and <= MaxSecretLength } secret)
        {
            LogIgnored(logger, provider, "malformed");
            return null;
        }

        var found = await store.FindPushChannelAsync(provider, channelId, cancellationToken);
        var expected = found is { Value.SecretHash: { Length: 64 } hash } ? Convert.FromHexString(hash) : NoChannel;
        var matches = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), expected);
        if (!matches || found is null || found.Value.Provider != provider)
        {
            LogIgnored(logger, provider, "unknown channel or wrong secret");
            return null;
        }

        return found;
    }

    /// <summary>Sets the connection's channel to <paramref name="next"/> if it is still <paramref name="expected"/>; false if another sync changed it (or the connection is gone).</summary>
    private async Task<bool> ReplaceAsync(Guid userId, string provider, PushChannel? expected, PushChannel next, CancellationToken cancellationToken)
    {
        var replaced = false;
        await store.UpdateConnectionAsync(userId, provider, c =>
        {
            replaced = c.Push == expected;
            return replaced ? c with { Push = next } : c;
        }, cancellationToken);
        return replaced;
    }

    private async Task StopQuietlyAsync(ICalendarClient client, string token, string provider, PushChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            await client.StopWatchAsync(token, channel, cancellationToken);
        }
        catch (CalendarApiException)
        {
            LogStopFailed(logger, provider);
        }

        await store.DeletePushChannelAsync(provider, channel.Id, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: push channel made")]
    private static partial void LogWatched(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: push channel renewed")]
    private static partial void LogRenewed(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider}: making or renewing the push channel failed ({Status}, {Failure}); the next connection sync tries again")]
    private static partial void LogWatchFailed(ILogger logger, string provider, int status, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider}: stopping a push channel failed; it lapses by itself and its notifications are ignored")]
    private static partial void LogStopFailed(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider}: push notification for user {UserId} accepted; a sync is asked for")]
    private static partial void LogAccepted(ILogger logger, string provider, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: push notification ignored ({Why})")]
    private static partial void LogIgnored(ILogger logger, string provider, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outlook: lifecycle notification {LifecycleEvent}; the connection is resynced")]
    private static partial void LogLifecycle(ILogger logger, string lifecycleEvent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Calendar push renewal: {Count} connection syncs asked for")]
    private static partial void LogRenewalsQueued(ILogger logger, int count);
}

/// <summary>The push renewal timer: schedule from the <c>CalendarPushRenewalSchedule</c> setting (default hourly).</summary>
public sealed class CalendarPushTimerFunctions(CalendarPush push)
{
    [Function("CalendarPushRenewal")]
    public Task Renew([TimerTrigger("%" + CalendarSettings.PushRenewalScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        push.RenewDueAsync(cancellationToken);
}
