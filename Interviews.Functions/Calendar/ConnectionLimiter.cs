namespace Interviews.Functions.Calendar;

/// <summary>The connection's calls are all in flight (<see cref="CalendarSettings.MaxCallsPerConnection"/>) and none finished within <see cref="CalendarSettings.ConnectionBusyWait"/>.</summary>
public sealed class ConnectionBusyException(string provider) : Exception($"The {CalendarProviders.DisplayName(provider)} connection is busy.");

/// <summary>
/// Bounds the calls in flight to each connected calendar of this instance, so that a provider that
/// hangs for one user holds at most <see cref="CalendarSettings.MaxCallsPerConnection"/> workers, and
/// never anyone else's: a call waits for its connection's turn at most
/// <see cref="CalendarSettings.ConnectionBusyWait"/>, then gives up with <see cref="ConnectionBusyException"/>.
/// A connection's gate exists only while someone is using it.
/// </summary>
public sealed class ConnectionLimiter(CalendarSettings settings)
{
    private readonly Dictionary<(Guid, string), Gate> _gates = [];

    public async Task<IDisposable> EnterAsync(Guid userId, string provider, CancellationToken cancellationToken)
    {
        var key = (userId, provider);
        Gate gate;
        lock (_gates)
        {
            if (!_gates.TryGetValue(key, out gate!))
            {
                _gates[key] = gate = new Gate(new SemaphoreSlim(settings.MaxCallsPerConnection, settings.MaxCallsPerConnection));
            }

            gate.Users++;
        }

        var entered = false;
        try
        {
            entered = await gate.Semaphore.WaitAsync(settings.ConnectionBusyWait, cancellationToken);
        }
        finally
        {
            if (!entered)
            {
                Leave(key, gate);
            }
        }

        return entered ? new Turn(this, key, gate) : throw new ConnectionBusyException(provider);
    }

    /// <summary>How many connections have a call in flight or waiting (tests).</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_gates)
            {
                return _gates.Count;
            }
        }
    }

    private void Leave((Guid, string) key, Gate gate)
    {
        lock (_gates)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(key);
                gate.Semaphore.Dispose();
            }
        }
    }

    private sealed class Gate(SemaphoreSlim semaphore)
    {
        public SemaphoreSlim Semaphore { get; } = semaphore;

        public int Users { get; set; }
    }

    private sealed class Turn(ConnectionLimiter limiter, (Guid, string) key, Gate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Semaphore.Release();
                limiter.Leave(key, gate);
            }
        }
    }
}
