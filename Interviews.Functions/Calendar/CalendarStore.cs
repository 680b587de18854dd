using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.DataProtection;

namespace Interviews.Functions.Calendar;

public enum ConnectionStatus
{
    Connected,
    /// <summary>The provider refused the grant (revoked, expired, password changed): the user must consent again.</summary>
    ReconsentRequired,
}

/// <summary>
/// A user's connection to one provider's calendar (one document in the user's partition). The tokens are
/// only ever stored protected (<see cref="CalendarStore.TokenPurpose"/>); <see cref="Pending"/> holds the
/// interviews whose last sync to this calendar failed, which the connection's next sync retries.
/// </summary>
public sealed record CalendarConnection(
    string Provider,
    string? AccountEmail,
    ConnectionStatus Status,
    string ProtectedTokens,
    DateTimeOffset AccessTokenExpiresAt,
    DateTimeOffset ConnectedAt,
    DateTimeOffset? LastSyncAt,
    string? LastError,
    DateTimeOffset? RetryAfter,
    string? SyncCursor,
    IReadOnlyList<Guid> Pending)
{
    /// <summary>When the connection sync already asked for becomes due; null when none is waiting (see <see cref="ICalendarSyncRequests"/>).</summary>
    public DateTimeOffset? SyncRequestedFor { get; init; }

    /// <summary>The provider's push channel for this calendar (a Google watch channel, a Graph subscription); null when push is off or none was made yet.</summary>
    public PushChannel? Push { get; init; }
}

/// <summary>
/// A push channel: its id (Google: ours; Graph: the subscription's), Google's resource id (needed to stop it),
/// when the provider lets it lapse, and whether it must be renewed before that (a Graph lifecycle notification).
/// Its secret is not here: only its hash, in the channel's lookup (<see cref="PushChannelLookup"/>).
/// </summary>
public sealed record PushChannel(string Id, string? ResourceId, DateTimeOffset ExpiresAt, bool RenewNow = false);

/// <summary>
/// A push channel's lookup, in the fixed partition <c>calendar-push</c> (id = kind, provider and channel id): the
/// notification carries only the channel id and secret, so this is how the anonymous webhook finds the connection.
/// Holds the SHA-256 of the channel's secret, its expiry (the renewal timer's index) and, for Google, the highest
/// message number seen (older ones are replays).
/// </summary>
public sealed record PushChannelLookup(Guid OwnerId, string Provider, string SecretHash, DateTimeOffset ExpiresAt, long LastMessageNumber);

/// <summary>The tokens of a connection, in clear: only in memory, never in a response or a log.</summary>
public sealed record OAuthTokens(string AccessToken, string? RefreshToken)
{
    /// <summary>Keeps tokens out of any accidental string formatting (logs, exceptions).</summary>
    public override string ToString() => "OAuthTokens { … }";
}

public enum LinkState
{
    /// <summary>The service's event exists in the calendar and follows the interview.</summary>
    Linked,
    /// <summary>The service deleted the event (the interview was cancelled).</summary>
    Deleted,
    /// <summary>The user deleted the event in the calendar: it is not recreated, and the interview is not cancelled.</summary>
    Unlinked,
}

/// <summary>An interview's event in one calendar: its id there, and the version and start last written.</summary>
public sealed record LinkedEvent(string? EventId, LinkState State, int SyncedVersion, DateTimeOffset? SyncedStart);

/// <summary>Where an interview is in the user's calendars: one entry per provider (a document beside the interview).</summary>
public sealed record CalendarLink(Guid InterviewId, IReadOnlyDictionary<string, LinkedEvent> Events);

/// <summary>A pending consent: who asked, for which provider, and the PKCE verifier (protected).</summary>
public sealed record OAuthState(Guid OwnerId, string Provider, string ProtectedVerifier, DateTimeOffset ExpiresAt);

/// <summary>The user's feed token, by its hash only.</summary>
public sealed record CalendarFeed(string TokenHash, DateTimeOffset CreatedAt);

/// <summary>A lookup from a hash (of a feed token) or a provider's event id to its owner.</summary>
public sealed record OwnerLookup(Guid OwnerId, Guid? InterviewId = null, string? Provider = null);

/// <summary>
/// Calendar documents on the document seam. Per user (the user's partition): connections, links, the feed
/// token's hash, and a map from Outlook event ids to interviews. The anonymous routes and the timer find
/// things without a user id through fixed partitions: <c>oauth-states</c> (id = SHA-256 of the state),
/// <c>calendar-feeds</c> (id = SHA-256 of the feed token) and <c>calendar-connections</c> (one reference
/// per connection, which the reconcile timer pages through). Owner ids are stored as <c>ownerId</c>:
/// <c>userId</c> is the partition key's own field.
/// </summary>
public sealed class CalendarStore(IDocumentContainer container, IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string TokenPurpose = "Interviews.Calendar.Tokens";
    public const string ConnectionKind = "calendar-connection";
    public const string ConnectionRefKind = "calendar-connection-ref";
    public const string LinkKind = "calendar-link";
    public const string FeedKind = "calendar-feed";
    public const string FeedLookupKind = "calendar-feed-token";
    public const string EventLookupKind = "calendar-event";
    public const string StateKind = "oauth-state";
    public const string PushChannelKind = "calendar-push-channel";
    public const string PushPartition = "calendar-push";
    public const string StatesPartition = "oauth-states";
    public const string FeedsPartition = "calendar-feeds";
    public const string ConnectionsPartition = "calendar-connections";

    /// <summary>
    /// The reconcile timer pages through every connection reference in order of owner; the push renewal
    /// timer reads the channels that expire soonest.
    /// </summary>
    public static IReadOnlyList<IndexDefinition> Indexes { get; } =
    [
        new("calendar_connections_by_owner", ConnectionRefKind, [], "ownerId"),
        new("calendar_push_by_expiry", PushChannelKind, [], "expiresAt"),
    ];

    /// <summary>A push lookup is kept a day past its channel's expiry, then expires by itself (one left behind by a crash too).</summary>
    public static readonly TimeSpan PushLookupGrace = TimeSpan.FromDays(1);

    private readonly IDataProtector _protector = dataProtection.CreateProtector(TokenPurpose);

    public string Protect(OAuthTokens tokens) => _protector.Protect(JsonSerializer.Serialize(new[] { tokens.AccessToken, tokens.RefreshToken }));

    public OAuthTokens Unprotect(CalendarConnection connection)
    {
        var values = JsonSerializer.Deserialize<string?[]>(_protector.Unprotect(connection.ProtectedTokens))!;
        return new OAuthTokens(values[0]!, values[1]);
    }

    public string ProtectText(string text) => _protector.Protect(text);

    public string UnprotectText(string text) => _protector.Unprotect(text);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private readonly DocumentKind<CalendarConnection> _connections = new(container, ConnectionKind);
    private readonly DocumentKind<OwnerLookup> _connectionRefs = new(container, ConnectionRefKind, key => key);
    private readonly DocumentKind<CalendarLink> _links = new(container, LinkKind);
    private readonly DocumentKind<OwnerLookup> _eventLookups = new(container, EventLookupKind);
    private readonly DocumentKind<OAuthState> _states = new(container, StateKind, key => key);
    private readonly DocumentKind<CalendarFeed> _feeds = new(container, FeedKind, _ => FeedKind);
    private readonly DocumentKind<OwnerLookup> _feedLookups = new(container, FeedLookupKind, key => key);
    private readonly DocumentKind<PushChannelLookup> _pushChannels = new(container, PushChannelKind);

    // Connections.

    public async Task<(CalendarConnection Connection, string ETag)?> GetConnectionAsync(Guid userId, string provider, CancellationToken cancellationToken) =>
        await _connections.ReadAsync(Partition(userId), provider, cancellationToken) is { } stored ? (stored.Value, stored.ETag) : null;

    /// <summary>Creates or replaces (if <paramref name="etag"/> still matches) a connection; false if it changed meanwhile.</summary>
    public async Task<bool> SaveConnectionAsync(Guid userId, CalendarConnection connection, string? etag, CancellationToken cancellationToken) =>
        await _connections.SaveAsync(Partition(userId), connection.Provider, connection, etag, cancellationToken) is not null;

    /// <summary>Applies <paramref name="change"/> to the stored connection, reloading on a concurrent change; false if there is none.</summary>
    public async Task<bool> UpdateConnectionAsync(Guid userId, string provider, Func<CalendarConnection, CalendarConnection> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (await GetConnectionAsync(userId, provider, cancellationToken) is not { } current)
            {
                return false;
            }

            if (await SaveConnectionAsync(userId, change(current.Connection), current.ETag, cancellationToken))
            {
                return true;
            }
        }

        throw new InvalidOperationException($"The {provider} connection kept changing during an update.");
    }

    public async Task DeleteConnectionAsync(Guid userId, string provider, CancellationToken cancellationToken)
    {
        await _connections.DeleteAsync(Partition(userId), provider, null, cancellationToken);
        await _connectionRefs.DeleteAsync(ConnectionsPartition, ConnectionRefId(userId, provider), null, cancellationToken);
    }

    /// <summary>Records that the connection exists, for the reconcile timer (idempotent).</summary>
    public Task AddConnectionRefAsync(Guid userId, string provider, CancellationToken cancellationToken) =>
        _connectionRefs.SaveAsync(ConnectionsPartition, ConnectionRefId(userId, provider), new OwnerLookup(userId, null, provider), null, cancellationToken);

    /// <summary>A page of every connection (owner and provider), for the reconcile timer.</summary>
    public async Task<(IReadOnlyList<OwnerLookup> Items, DocumentCursor? Next)> ListConnectionRefsAsync(DocumentCursor? after, CancellationToken cancellationToken)
    {
        var page = await _connectionRefs.QueryAsync(ConnectionsPartition, [], "ownerId", 100, after, cancellationToken);
        return ([.. page.Items.Select(i => i.Value)], page.Next);
    }

    // Push channels.

    /// <summary>The lookup of a provider's channel: one point read, whether or not it exists.</summary>
    public Task<Stored<PushChannelLookup>?> FindPushChannelAsync(string provider, string channelId, CancellationToken cancellationToken) =>
        _pushChannels.ReadAsync(PushPartition, PushChannelKey(provider, channelId), cancellationToken);

    /// <summary>Creates or replaces a channel's lookup (at <paramref name="etag"/> when given); false when it changed meanwhile.</summary>
    public async Task<bool> SavePushChannelAsync(string channelId, PushChannelLookup lookup, string? etag, CancellationToken cancellationToken)
    {
        var key = PushChannelKey(lookup.Provider, channelId);
        var ttl = lookup.ExpiresAt + PushLookupGrace - time.GetUtcNow();
        if (etag is null && await _pushChannels.ReadAsync(PushPartition, key, cancellationToken) is { } existing)
        {
            etag = existing.ETag;
        }

        return await _pushChannels.SaveAsync(PushPartition, key, lookup, etag, cancellationToken, ttl > TimeSpan.Zero ? ttl : TimeSpan.FromMinutes(1)) is not null;
    }

    public Task DeletePushChannelAsync(string provider, string channelId, CancellationToken cancellationToken) =>
        _pushChannels.DeleteAsync(PushPartition, PushChannelKey(provider, channelId), null, cancellationToken);

    /// <summary>A page of the channels expiring before <paramref name="before"/>, soonest first, for the renewal timer.</summary>
    public async Task<(IReadOnlyList<PushChannelLookup> Items, DocumentCursor? Next)> ListPushChannelsExpiringAsync(DateTimeOffset before, DocumentCursor? after, CancellationToken cancellationToken)
    {
        var page = await _pushChannels.QueryAsync(PushPartition, [FieldFilter.Below("expiresAt", StorageJson.Instant(before))], "expiresAt", 100, after, cancellationToken);
        return ([.. page.Items.Select(i => i.Value)], page.Next);
    }

    // Links.

    public async Task<(CalendarLink Link, string? ETag)> GetLinkAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken) =>
        await _links.ReadAsync(Partition(userId), Key(interviewId), cancellationToken) is { } stored
            ? (stored.Value, stored.ETag)
            : (new CalendarLink(interviewId, new Dictionary<string, LinkedEvent>()), null);

    public async Task<bool> SaveLinkAsync(Guid userId, CalendarLink link, string? etag, CancellationToken cancellationToken) =>
        await _links.SaveAsync(Partition(userId), Key(link.InterviewId), link, etag, cancellationToken) is not null;

    /// <summary>Remembers which interview an Outlook event belongs to (Graph's delta returns ids only); idempotent.</summary>
    public Task RememberEventAsync(Guid userId, string provider, string eventId, Guid interviewId, CancellationToken cancellationToken) =>
        _eventLookups.SaveAsync(Partition(userId), EventLookupKey(provider, eventId), new OwnerLookup(userId, interviewId, provider), null, cancellationToken);

    public async Task<Guid?> FindEventAsync(Guid userId, string provider, string eventId, CancellationToken cancellationToken) =>
        (await _eventLookups.ReadAsync(Partition(userId), EventLookupKey(provider, eventId), cancellationToken))?.Value.InterviewId;

    // OAuth states.

    public Task CreateStateAsync(string state, OAuthState value, CancellationToken cancellationToken) =>
        _states.SaveAsync(StatesPartition, Hash(state), value, null, cancellationToken, value.ExpiresAt - time.GetUtcNow());

    /// <summary>Takes a state once: null if unknown, already used or expired. The delete is conditional, so two callbacks racing with one state get it once.</summary>
    public async Task<OAuthState?> ConsumeStateAsync(string state, CancellationToken cancellationToken)
    {
        var key = Hash(state);
        if (await _states.ReadAsync(StatesPartition, key, cancellationToken) is not { } stored)
        {
            return null;
        }

        var taken = await _states.DeleteAsync(StatesPartition, key, stored.ETag, cancellationToken);
        return taken && stored.Value.ExpiresAt > time.GetUtcNow() ? stored.Value : null;
    }

    // Feeds.

    /// <summary>Sets the user's feed token (replacing and revoking any earlier one).</summary>
    public async Task SetFeedAsync(Guid userId, string token, CancellationToken cancellationToken)
    {
        await RevokeFeedAsync(userId, cancellationToken);
        var hash = Hash(token);
        await _feedLookups.SaveAsync(FeedsPartition, hash, new OwnerLookup(userId), null, cancellationToken);
        await _feeds.SaveAsync(Partition(userId), FeedKind, new CalendarFeed(hash, time.GetUtcNow()), null, cancellationToken);
    }

    /// <summary>Revokes the user's feed token; false if there was none.</summary>
    public async Task<bool> RevokeFeedAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (await _feeds.ReadAsync(Partition(userId), FeedKind, cancellationToken) is not { } feed)
        {
            return false;
        }

        // The lookup first: once it is gone the token opens nothing, whatever happens next.
        await _feedLookups.DeleteAsync(FeedsPartition, feed.Value.TokenHash, null, cancellationToken);
        await _feeds.DeleteAsync(Partition(userId), FeedKind, null, cancellationToken);
        return true;
    }

    public async Task<Guid?> FindFeedOwnerAsync(string token, CancellationToken cancellationToken) =>
        (await _feedLookups.ReadAsync(FeedsPartition, Hash(token), cancellationToken))?.Value.OwnerId;

    public static string Partition(Guid userId) => userId.ToString("D");

    private static string Key(Guid interviewId) => interviewId.ToString("D");

    private static string ConnectionRefId(Guid userId, string provider) => $"{userId:D}:{provider}";

    private static string PushChannelKey(string provider, string channelId) => $"{provider}:{channelId}";

    private static string EventLookupKey(string provider, string eventId) => $"{provider}:{Hash(eventId)}";
}
