namespace Interviews.Benchmarks.Load;

/// <summary>
/// One write through the API (a schedule or a reschedule) and when each calendar first showed it. A write
/// counts as shown in a calendar at the first change there, after it was sent, that put the interview's
/// event at this write's start or at a later write's (a later write supersedes it). Starts are unique
/// per interview, so a start names the write.
/// </summary>
internal sealed class TrackedWrite(int user, Guid interview, int ordinal, DateTimeOffset start, double sentAt, bool reschedule)
{
    public int User { get; } = user;

    public Guid Interview { get; } = interview;

    public int Ordinal { get; } = ordinal;

    public DateTimeOffset Start { get; } = start;

    public double SentAt { get; } = sentAt;

    public bool Reschedule { get; } = reschedule;

    /// <summary>When the API answered (the write was committed).</summary>
    public double AckedAt { get; set; } = double.NaN;

    public Dictionary<string, double> ShownAt { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Follows writes into the fake calendars: subscribes to the fakes' change log and matches each change
/// to the writes of its interview. Thread-safe (one lock: changes and writes arrive from many threads).
/// </summary>
internal sealed class WriteTracker
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, List<TrackedWrite>> _writes = [];
    private readonly Dictionary<Guid, List<CalendarChangeRecord>> _changes = [];
    private readonly List<TrackedWrite> _all = [];
    private readonly IReadOnlyList<string> _providers;
    private readonly Func<TrackedWrite, string, bool> _expected;

    /// <param name="expected">Whether a write is expected in a provider's calendar (a failing user's failing provider is not).</param>
    public WriteTracker(FakeProviders fakes, IReadOnlyList<string> providers, Func<TrackedWrite, string, bool> expected)
    {
        _providers = providers;
        _expected = expected;
        fakes.Changed += OnChange;
    }

    public IReadOnlyList<TrackedWrite> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>A schedule's interview id is known only from its answer: the write is added then, and matched against changes that came first.</summary>
    public void Add(TrackedWrite write)
    {
        lock (_gate)
        {
            if (!_writes.TryGetValue(write.Interview, out var list))
            {
                _writes[write.Interview] = list = [];
            }

            list.Add(write);
            _all.Add(write);
            foreach (var change in _changes.GetValueOrDefault(write.Interview) ?? [])
            {
                Match(list, change);
            }
        }
    }

    /// <summary>A write the API refused: it is not followed.</summary>
    public void Remove(TrackedWrite write)
    {
        lock (_gate)
        {
            _all.Remove(write);
            _writes.GetValueOrDefault(write.Interview)?.Remove(write);
        }
    }

    /// <summary>Acked writes not yet shown in every calendar they are expected in, at <paramref name="now"/> (optionally of some users only).</summary>
    public int Backlog(Func<TrackedWrite, bool>? of = null)
    {
        lock (_gate)
        {
            return _all.Count(w => !double.IsNaN(w.AckedAt) && (of?.Invoke(w) ?? true) && !ShownEverywhere(w));
        }
    }

    public bool ShownEverywhere(TrackedWrite w) => _providers.All(p => !_expected(w, p) || w.ShownAt.ContainsKey(p));

    /// <summary>Seconds from the API's answer to the write shown in <paramref name="provider"/>'s calendar (never below 0); NaN when not shown.</summary>
    public static double Latency(TrackedWrite w, string provider) =>
        w.ShownAt.TryGetValue(provider, out var at) ? Math.Max(0, at - w.AckedAt) : double.NaN;

    /// <summary>Seconds from the answer to the write shown in every calendar it is expected in.</summary>
    public double LatencyEverywhere(TrackedWrite w)
    {
        var latest = double.NegativeInfinity;
        foreach (var provider in _providers.Where(p => _expected(w, p)))
        {
            if (!w.ShownAt.TryGetValue(provider, out var at))
            {
                return double.NaN;
            }

            latest = Math.Max(latest, at);
        }

        return double.IsNegativeInfinity(latest) ? double.NaN : Math.Max(0, latest - w.AckedAt);
    }

    /// <summary>
    /// Interviews whose last acked write never reached a calendar it was expected in (by provider): at the
    /// end of a run, lost or still on its way.
    /// </summary>
    public Dictionary<string, int> Undelivered()
    {
        lock (_gate)
        {
            var result = _providers.ToDictionary(p => p, _ => 0, StringComparer.Ordinal);
            foreach (var list in _writes.Values)
            {
                var last = list.Where(w => !double.IsNaN(w.AckedAt)).MaxBy(w => w.Ordinal);
                foreach (var provider in _providers)
                {
                    if (last is not null && _expected(last, provider) && !last.ShownAt.ContainsKey(provider))
                    {
                        result[provider]++;
                    }
                }
            }

            return result;
        }
    }

    private void OnChange(CalendarChangeRecord change)
    {
        if (change.InterviewId is not { } interview || change.Kind == ChangeKind.Deleted || change.Source != ChangeSource.Service)
        {
            return;
        }

        lock (_gate)
        {
            if (!_changes.TryGetValue(interview, out var changes))
            {
                _changes[interview] = changes = [];
            }

            changes.Add(change);
            if (_writes.TryGetValue(interview, out var list))
            {
                Match(list, change);
            }
        }
    }

    private static void Match(List<TrackedWrite> writes, CalendarChangeRecord change)
    {
        var shown = writes.FirstOrDefault(w => w.Start == change.Start);
        if (shown is null)
        {
            return;
        }

        foreach (var w in writes)
        {
            if (w.Ordinal <= shown.Ordinal && w.SentAt <= change.At && !w.ShownAt.ContainsKey(change.Provider))
            {
                w.ShownAt[change.Provider] = change.At;
            }
        }
    }
}
