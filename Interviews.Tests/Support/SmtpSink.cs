using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Interviews.Tests.Support;

/// <summary>
/// A real SMTP server on 127.0.0.1 (the SmtpServer package) that keeps what it receives and counts its
/// connections (sessions). It can be stopped, dropping the open sessions, and started again on the same
/// port, to play an outage.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private SmtpServer.SmtpServer? _server;
    private Task? _running;
    private CancellationTokenSource? _stopping;
    private int _connections;
    private int _open;
    private int _peakOpen;

    private SmtpSink(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Messages => [.. _messages];

    /// <summary>Sessions ever opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The most sessions open at one time.</summary>
    public int PeakOpenConnections => Volatile.Read(ref _peakOpen);

    /// <summary>The settings that point LocalHost's reminders at this server.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "none",
        ["Email:Smtp:Timeout"] = "00:00:05",
        ["Email:From"] = "Interviews <reminders@interviews.test>",
    };

    public static SmtpSink Start()
    {
        var sink = new SmtpSink(Loopback.FreePort());
        sink.Resume();
        return sink;
    }

    /// <summary>Stops listening and drops the open sessions: connections are refused until <see cref="Resume"/>.</summary>
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _stopping!.CancelAsync();
            try
            {
                await _running!;
            }
            catch (OperationCanceledException)
            {
                // What cancelling the server's token ends with.
            }

            _stopping.Dispose();
            _server = null;
        }
    }

    public void Resume()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_messages));
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) =>
        {
            Interlocked.Increment(ref _connections);
            var open = Interlocked.Increment(ref _open);
            for (var peak = Volatile.Read(ref _peakOpen); open > peak; peak = Volatile.Read(ref _peakOpen))
            {
                Interlocked.CompareExchange(ref _peakOpen, open, peak);
            }
        };
        _server.SessionCompleted += (_, _) => Interlocked.Decrement(ref _open);
        _server.SessionFaulted += (_, _) => Interlocked.Decrement(ref _open);
        _server.SessionCancelled += (_, _) => Interlocked.Decrement(ref _open);
        _stopping = new CancellationTokenSource();
        _running = _server.StartAsync(_stopping.Token);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
