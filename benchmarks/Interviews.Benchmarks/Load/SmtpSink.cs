using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Interviews.Benchmarks.Load;

/// <summary>A message the sink accepted: when, for whom, and the interview named in its .ics attachment.</summary>
internal sealed record ReceivedMail(double At, string MessageId, string To, string Subject, Guid? InterviewId);

/// <summary>
/// A real SMTP server on 127.0.0.1 (the SmtpServer package, as the tests use) that answers each message's
/// DATA after <see cref="AnswerDelay"/>, like a relay that takes its time, and counts connections
/// (sessions), messages, and duplicates both by Message-ID and by (recipient, subject without its
/// relative time, interview), so that a resend under a new Message-ID is still seen.
/// </summary>
internal sealed partial class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedMail> _messages = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private int _connections;
    private int _open;
    private int _peakOpen;

    private SmtpSink(int port, TimeSpan answerDelay)
    {
        Port = port;
        AnswerDelay = answerDelay;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) =>
        {
            Interlocked.Increment(ref _connections);
            var open = Interlocked.Increment(ref _open);
            int peak;
            while (open > (peak = Volatile.Read(ref _peakOpen)) && Interlocked.CompareExchange(ref _peakOpen, open, peak) != peak)
            {
            }
        };
        _server.SessionCompleted += (_, _) => Interlocked.Decrement(ref _open);
        _server.SessionFaulted += (_, _) => Interlocked.Decrement(ref _open);
        _server.SessionCancelled += (_, _) => Interlocked.Decrement(ref _open);
        _running = _server.StartAsync(CancellationToken.None);
    }

    public int Port { get; }

    public TimeSpan AnswerDelay { get; }

    public IReadOnlyCollection<ReceivedMail> Messages => _messages;

    public int Connections => Volatile.Read(ref _connections);

    public int PeakOpenConnections => Volatile.Read(ref _peakOpen);

    public static SmtpSink Start(TimeSpan answerDelay)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new SmtpSink(port, answerDelay);
    }

    /// <summary>The service's settings that send its e-mail here (environment variable names).</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings() => new Dictionary<string, string>
    {
        ["Email__Smtp__Host"] = "127.0.0.1",
        ["Email__Smtp__Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Email__Smtp__Security"] = "none",
        ["Email__From"] = "Interviews <reminders@interviews.bench>",
    };

    /// <summary>Messages beyond the first with the same Message-ID.</summary>
    public int DuplicatesByMessageId() => _messages.GroupBy(m => m.MessageId, StringComparer.Ordinal).Sum(g => g.Count() - 1);

    /// <summary>Messages beyond the first to the same recipient, with the same subject (its "in N minutes" left out), about the same interview.</summary>
    public int DuplicatesByContent() => _messages.GroupBy(m => (m.To, RelativeTime().Replace(m.Subject, "…"), m.InterviewId)).Sum(g => g.Count() - 1);

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _server.ShutdownTask;
        await _running;
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            if (sink.AnswerDelay > TimeSpan.Zero)
            {
                await Task.Delay(sink.AnswerDelay, cancellationToken);
            }

            sink._messages.Enqueue(new ReceivedMail(
                RunClock.Now,
                message.MessageId ?? "",
                string.Join(',', message.To.Mailboxes.Select(m => m.Address)),
                message.Subject ?? "",
                InterviewOf(message)));
            return SmtpResponse.Ok;
        }

        /// <summary>The interview of the attached .ics (its UID is <c>{interview id}@interviews</c>).</summary>
        private static Guid? InterviewOf(MimeMessage message)
        {
            foreach (var part in message.Attachments.OfType<MimePart>())
            {
                using var text = new MemoryStream();
                part.Content?.DecodeTo(text);
                var match = Uid().Match(Encoding.UTF8.GetString(text.ToArray()));
                if (match.Success && Guid.TryParse(match.Groups[1].Value, out var id))
                {
                    return id;
                }
            }

            return null;
        }
    }

    [GeneratedRegex(@"UID:([0-9a-fA-F-]{36})@")]
    private static partial Regex Uid();

    [GeneratedRegex(@"\bin \d+ (minutes|hours|days)\b|\bnow\b")]
    private static partial Regex RelativeTime();
}
