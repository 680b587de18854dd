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
/// interviews whose last sync to this calendar failed, which the reconcile timer retries.
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
    IReadOnlyList<Guid> Pending);

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
    public const string StatesPartition = "oauth-states";
    public const string FeedsPartition = "calendar-feeds";
    public const string ConnectionsPartition = "calendar-connections";

    /// <summary>The reconcile timer pages through every connection reference in order of owner.</summary>
    public static IReadOnlyList<IndexDefinition> Indexes { get; } = [new("calendar_connections_by_owner", ConnectionRefKind, [], "ownerId")];

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

    // Connections.

    public async Task<(CalendarConnection Connection, string ETag)?> GetConnectionAsync(Guid userId, string provider, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(Partition(userId), ConnectionId(provider), cancellationToken);
        return document is null ? null : (Read<CalendarConnection>(document), document.ETag);
    }

    /// <summary>Creates or replaces (if <paramref name="etag"/> still matches) a connection; false if it changed meanwhile.</summary>
    public Task<bool> SaveConnectionAsync(Guid userId, CalendarConnection connection, string? etag, CancellationToken cancellationToken) =>
        WriteAsync(Partition(userId), etag is null
            ? DocumentWrite.Create(ConnectionId(connection.Provider), ConnectionKind, Write(connection))
            : DocumentWrite.Replace(ConnectionId(connection.Provider), ConnectionKind, Write(connection), etag), cancellationToken);

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
        await WriteAsync(Partition(userId), DocumentWrite.Delete(ConnectionId(provider), ConnectionKind), cancellationToken);
        await WriteAsync(ConnectionsPartition, DocumentWrite.Delete(ConnectionRefId(userId, provider), ConnectionRefKind), cancellationToken);
    }

    /// <summary>Records that the connection exists, for the reconcile timer (idempotent).</summary>
    public Task AddConnectionRefAsync(Guid userId, string provider, CancellationToken cancellationToken) =>
        WriteAsync(ConnectionsPartition, DocumentWrite.Create(ConnectionRefId(userId, provider), ConnectionRefKind, Write(new OwnerLookup(userId, null, provider))), cancellationToken);

    /// <summary>A page of every connection (owner and provider), for the reconcile timer.</summary>
    public async Task<(IReadOnlyList<OwnerLookup> Items, DocumentCursor? Next)> ListConnectionRefsAsync(DocumentCursor? after, CancellationToken cancellationToken)
    {
        var page = await container.QueryAsync(new DocumentQuery(ConnectionsPartition, ConnectionRefKind, [], "ownerId", 100, after), cancellationToken);
        return ([.. page.Items.Select(Read<OwnerLookup>)], page.Next);
    }

    // Links.

    public async Task<(CalendarLink Link, string? ETag)> GetLinkAsync(Guid userId, Guid interviewId, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(Partition(userId), LinkId(interviewId), cancellationToken);
        return document is null
            ? (new CalendarLink(interviewId, new Dictionary<string, LinkedEvent>()), null)
            : (Read<CalendarLink>(document), document.ETag);
    }

    public Task<bool> SaveLinkAsync(Guid userId, CalendarLink link, string? etag, CancellationToken cancellationToken) =>
        WriteAsync(Partition(userId), etag is null
            ? DocumentWrite.Create(LinkId(link.InterviewId), LinkKind, Write(link))
            : DocumentWrite.Replace(LinkId(link.InterviewId), LinkKind, Write(link), etag), cancellationToken);

    /// <summary>Remembers which interview an Outlook event belongs to (Graph's delta returns ids only); idempotent.</summary>
    public Task RememberEventAsync(Guid userId, string provider, string eventId, Guid interviewId, CancellationToken cancellationToken) =>
        WriteAsync(Partition(userId), DocumentWrite.Create(EventLookupId(provider, eventId), EventLookupKind, Write(new OwnerLookup(userId, interviewId, provider))), cancellationToken);

    public async Task<Guid?> FindEventAsync(Guid userId, string provider, string eventId, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(Partition(userId), EventLookupId(provider, eventId), cancellationToken);
        return document is null ? null : Read<OwnerLookup>(document).InterviewId;
    }

    // OAuth states.

    public Task CreateStateAsync(string state, OAuthState value, CancellationToken cancellationToken) =>
        WriteAsync(StatesPartition, DocumentWrite.Create(Hash(state), StateKind, Write(value), value.ExpiresAt - time.GetUtcNow()), cancellationToken);

    /// <summary>Takes a state once: null if unknown, already used or expired. The delete is conditional, so two callbacks racing with one state get it once.</summary>
    public async Task<OAuthState?> ConsumeStateAsync(string state, CancellationToken cancellationToken)
    {
        var id = Hash(state);
        var document = await container.ReadAsync(StatesPartition, id, cancellationToken);
        if (document is not { Kind: StateKind })
        {
            return null;
        }

        var outcome = await container.WriteAsync(StatesPartition, [DocumentWrite.Delete(id, StateKind, document.ETag)], cancellationToken);
        ThrowIfUnavailable(outcome);
        var value = Read<OAuthState>(document);
        return outcome.IsSuccess && value.ExpiresAt > time.GetUtcNow() ? value : null;
    }

    // Feeds.

    /// <summary>Sets the user's feed token (replacing and revoking any earlier one).</summary>
    public async Task SetFeedAsync(Guid userId, string token, CancellationToken cancellationToken)
    {
        await RevokeFeedAsync(userId, cancellationToken);
        var hash = Hash(token);
        await WriteAsync(FeedsPartition, DocumentWrite.Create(hash, FeedLookupKind, Write(new OwnerLookup(userId))), cancellationToken);
        await WriteAsync(Partition(userId), DocumentWrite.Create(FeedId, FeedKind, Write(new CalendarFeed(hash, time.GetUtcNow()))), cancellationToken);
    }

    /// <summary>Revokes the user's feed token; false if there was none.</summary>
    public async Task<bool> RevokeFeedAsync(Guid userId, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(Partition(userId), FeedId, cancellationToken);
        if (document is null)
        {
            return false;
        }

        // The lookup first: once it is gone the token opens nothing, whatever happens next.
        await WriteAsync(FeedsPartition, DocumentWrite.Delete(Read<CalendarFeed>(document).TokenHash, FeedLookupKind), cancellationToken);
        await WriteAsync(Partition(userId), DocumentWrite.Delete(FeedId, FeedKind), cancellationToken);
        return true;
    }

    public async Task<Guid?> FindFeedOwnerAsync(string token, CancellationToken cancellationToken)
    {
        var document = await container.ReadAsync(FeedsPartition, Hash(token), cancellationToken);
        return document is { Kind: FeedLookupKind } ? Read<OwnerLookup>(document).OwnerId : null;
    }

    public static string Partition(Guid userId) => userId.ToString("D");

    public static string ConnectionId(string provider) => $"calendar-connection:{provider}";

    public static string LinkId(Guid interviewId) => $"calendar-link:{interviewId:D}";

    private const string FeedId = "calendar-feed";

    private static string ConnectionRefId(Guid userId, string provider) => $"{userId:D}:{provider}";

    private static string EventLookupId(string provider, string eventId) => $"calendar-event:{provider}:{Hash(eventId)}";

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, StorageJson.Options);

    private static T Read<T>(StoredDocument document) => JsonSerializer.Deserialize<T>(document.Json, StorageJson.Options)!;

    /// <summary>A conflict (exists, changed, gone) is an answer; an unavailable store is an exception, so that the caller retries later.</summary>
    private async Task<bool> WriteAsync(string partition, DocumentWrite write, CancellationToken cancellationToken)
    {
        var outcome = await container.WriteAsync(partition, [write], cancellationToken);
        ThrowIfUnavailable(outcome);
        return outcome.IsSuccess;
    }

    private static void ThrowIfUnavailable(WriteOutcome outcome)
    {
        if (outcome.Failure == WriteFailure.Unavailable)
        {
            throw new StoreUnavailableException("The store is unavailable.");
        }
    }
}
