using System.Diagnostics;

namespace Interviews.Benchmarks.Load;

/// <summary>The two calendar providers the fakes play.</summary>
internal static class Providers
{
    public const string Google = "google";
    public const string Microsoft = "microsoft";

    public static IReadOnlyList<string> All { get; } = [Google, Microsoft];

    /// <summary>The service's name for the provider in its routes (<c>/api/calendar/connections/{name}</c>).</summary>
    public static string ServiceName(string provider) => provider == Google ? "google" : "outlook";
}

/// <summary>Seconds since the run started, on one monotonic clock shared by the fakes, the sink and the driver.</summary>
internal static class RunClock
{
    private static readonly long Started = Stopwatch.GetTimestamp();

    public static double Now => Stopwatch.GetElapsedTime(Started).TotalSeconds;
}

/// <summary>Who made a change in a calendar: the service (through the API) or the user (the harness, "in the calendar").</summary>
internal enum ChangeSource
{
    Service,
    User,
}

internal enum ChangeKind
{
    Created,
    Updated,
    Deleted,
}

/// <summary>One change to one event in one calendar, with the time it was applied.</summary>
internal sealed record CalendarChangeRecord(
    double At, string Provider, int Account, string EventId, Guid? InterviewId, ChangeKind Kind, DateTimeOffset? Start, ChangeSource Source);

/// <summary>An event in a fake calendar.</summary>
internal sealed class FakeEvent(string id)
{
    public string Id { get; } = id;

    public Guid? InterviewId { get; set; }

    public DateTimeOffset Start { get; set; }

    public DateTimeOffset End { get; set; }

    public string Subject { get; set; } = "";

    public string? TransactionId { get; set; }

    public bool Deleted { get; set; }

    /// <summary>The calendar's change sequence at the event's last change (sync tokens and delta links are sequences).</summary>
    public long Sequence { get; set; }

    /// <summary>Google's private extended properties, returned as they were sent.</summary>
    public Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);
}

/// <summary>A Google watch channel or a Graph subscription.</summary>
internal sealed class PushChannel(string id, string address, string? token, DateTimeOffset expiration)
{
    public string Id { get; } = id;

    public string Address { get; set; } = address;

    public string? Token { get; } = token;

    public DateTimeOffset Expiration { get; set; } = expiration;

    public string ResourceId { get; init; } = "";

    public string? LifecycleAddress { get; init; }

    public string ChangeTypes { get; init; } = "created,updated,deleted";

    private long _messageNumber;

    public long NextMessageNumber() => Interlocked.Increment(ref _messageNumber);
}

/// <summary>One user's account at one provider: tokens, calendar, channels.</summary>
internal sealed class FakeAccount(string provider, int index, string email)
{
    public string Provider { get; } = provider;

    public int Index { get; } = index;

    public string Email { get; } = email;

    /// <summary>Graph's user id (in notification resources).</summary>
    public Guid UserId { get; } = Guid.NewGuid();

    public object Gate { get; } = new();

    public Dictionary<string, FakeEvent> Events { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct event ids ever created for each interview: more than one is a duplicate.</summary>
    public Dictionary<Guid, HashSet<string>> CreatedFor { get; } = [];

    public long Sequence { get; set; }

    public List<PushChannel> Channels { get; } = [];

    public int DeduplicatedCreates { get; set; }
}
