namespace Interviews.Functions.Calendar;

/// <summary>An interview as a calendar event: what both providers are sent.</summary>
public sealed record CalendarEventData(
    Guid InterviewId,
    int Version,
    string Title,
    string Description,
    string? Location,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone);

/// <summary>An event changed in a calendar: moved (with its new start) or removed.</summary>
public sealed record CalendarChange(string EventId, bool Removed, DateTimeOffset? Start, Guid? InterviewId);

/// <summary>Changes since a cursor, and the cursor to read from next time.</summary>
public sealed record CalendarChanges(IReadOnlyList<CalendarChange> Changes, string Cursor);

/// <summary>The provider no longer knows the cursor (Google 410 on a sync token, Graph 410 on a delta link): read everything again.</summary>
public sealed class SyncCursorExpiredException(string provider) : Exception($"{CalendarProviders.DisplayName(provider)} expired the sync cursor.");

/// <summary>What a new push channel is made with: our id for it (Google takes it; Graph assigns its own), its secret, where notifications go, and until when.</summary>
public sealed record PushRequest(string ChannelId, string Secret, Uri Address, Uri? LifecycleAddress, DateTimeOffset ExpiresAt)
{
    /// <summary>Keeps the secret out of any accidental string formatting (logs, exceptions).</summary>
    public override string ToString() => $"PushRequest {{ ChannelId = {ChannelId}, … }}";
}

/// <summary>One provider's calendar API, called with an access token. Failures throw <see cref="CalendarApiException"/>.</summary>
public interface ICalendarClient
{
    string Provider { get; }

    /// <summary>
    /// Creates the interview's event or updates it; idempotent (a repeat finds the event it made). Returns
    /// the provider's event id, or null when the event it was asked to update is gone from the calendar:
    /// the user deleted it there before the service read that change, and it must not be recreated.
    /// </summary>
    Task<string?> UpsertAsync(string accessToken, string? eventId, CalendarEventData data, CancellationToken cancellationToken);

    /// <summary>Deletes the interview's event; one already gone is fine.</summary>
    Task DeleteAsync(string accessToken, string? eventId, Guid interviewId, CancellationToken cancellationToken);

    /// <summary>The changes since <paramref name="cursor"/> (null: everything, to get a first cursor).</summary>
    Task<CalendarChanges> ReadChangesAsync(string accessToken, string? cursor, CancellationToken cancellationToken);

    /// <summary>Makes a push channel on the primary calendar's events (Google <c>events.watch</c>, Graph <c>POST /subscriptions</c>).</summary>
    Task<PushChannel> WatchAsync(string accessToken, PushRequest request, CancellationToken cancellationToken);

    /// <summary>Moves the channel's expiry (Graph <c>PATCH /subscriptions/{id}</c>); null when the provider cannot (Google) or no longer knows the channel: make a new one.</summary>
    Task<DateTimeOffset?> RenewWatchAsync(string accessToken, PushChannel channel, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Stops the channel (Google <c>channels.stop</c>, Graph <c>DELETE /subscriptions/{id}</c>); one already gone is fine.</summary>
    Task StopWatchAsync(string accessToken, PushChannel channel, CancellationToken cancellationToken);
}
