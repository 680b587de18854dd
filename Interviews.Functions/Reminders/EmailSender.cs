using System.Collections.Concurrent;
using Interviews.Functions.Settings;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Interviews.Functions.Reminders;

/// <summary>
/// E-mail settings (section <c>Email</c>): an SMTP relay — Azure Communication Services' SMTP endpoint,
/// SendGrid or any server. Without <see cref="SmtpSettings.Host"/> no e-mail is sent and reminders wait.
/// </summary>
public sealed class EmailSettings : ICheckedSettings
{
    public const string Section = "Email";

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>The sender address, e.g. "Interviews &lt;reminders@example.com&gt;".</summary>
    public string? From { get; set; }

    /// <summary>
    /// SMTP connections one instance keeps open and sends over side by side (1–100; 16 by default). It
    /// bounds how many e-mails are on the wire at once; each connection carries many of them. With a
    /// relay answering in 50 ms, 16 send a burst of 10,000 in about a minute (benchmarks/results.md).
    /// </summary>
    public int MaxConnections { get; set; } = 16;

    public const int MaxConnectionsLimit = 100;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Smtp.Host);

    /// <summary>Only checked when a host is set: without one, e-mail is simply off.</summary>
    public IEnumerable<string> Problems()
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (Smtp.Port is < 1 or > 65535)
        {
            yield return $"Setting {Section}:Smtp:Port must be a TCP port (1-65535).";
        }

        string? security = null;
        try
        {
            _ = Smtp.SocketOptions;
        }
        catch (InvalidOperationException exception)
        {
            security = exception.Message;
        }

        if (security is not null)
        {
            yield return security;
        }

        if (Smtp.Timeout <= TimeSpan.Zero)
        {
            yield return $"Setting {Section}:Smtp:Timeout must be a positive time span.";
        }

        if (MaxConnections is < 1 or > MaxConnectionsLimit)
        {
            yield return $"Setting {Section}:MaxConnections must be from 1 to {MaxConnectionsLimit}.";
        }

        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out _))
        {
            yield return $"Setting {Section}:From must be the sender's address, e.g. \"Interviews <reminders@example.com>\".";
        }
    }
}

public sealed class SmtpSettings
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary><c>none</c>, <c>starttls</c> (the default), <c>tls</c> (TLS from the first byte) or <c>auto</c>.</summary>
    public string Security { get; set; } = "starttls";

    public string? UserName { get; set; }

    /// <summary>A secret: from Key Vault in Azure; never logged.</summary>
    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public SecureSocketOptions SocketOptions => Security.Trim().ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "starttls" => SecureSocketOptions.StartTls,
        "tls" or "sslonconnect" => SecureSocketOptions.SslOnConnect,
        "auto" => SecureSocketOptions.Auto,
        "starttlswhenavailable" => SecureSocketOptions.StartTlsWhenAvailable,
        _ => throw new InvalidOperationException($"Setting Email:Smtp:Security must be none, starttls, tls or auto; it is '{Security}'."),
    };
}

/// <summary>Sends one message; throws when the server does not take it (the caller retries later).</summary>
public interface IEmailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// Sends through the configured SMTP relay with MailKit over a bounded pool of authenticated connections
/// (<see cref="EmailSettings.MaxConnections"/>): at most that many messages are on the wire at once, and
/// a connection carries message after message, because connecting, TLS and authenticating cost more than
/// a message. A connection that failed in any way is discarded, never reused (its state is unknown). One
/// that sat idle is checked with NOOP before it is used again (servers drop idle sessions), one idle
/// longer than <see cref="CloseAfterIdle"/> is closed and replaced rather than checked, and one that
/// carried <see cref="MessagesPerConnection"/> messages or lived <see cref="ConnectionLifetime"/> is
/// closed after its message.
/// </summary>
public sealed class SmtpEmailSender : IEmailSender, IAsyncDisposable, IDisposable
{
    public static readonly TimeSpan CheckAfterIdle = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan CloseAfterIdle = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A connection is closed after this many messages or this long, before the server's own limits on
    /// a session do it mid-message (relays cap both; the test server drops a session after about two
    /// minutes), which would fail that message and delay it by a retry.
    /// </summary>
    public const int MessagesPerConnection = 100;

    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(1);

    private readonly EmailSettings _settings;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;

    // Most recently used on top: under a light load the same few connections stay warm and the rest age out.
    private readonly ConcurrentStack<Pooled> _idle = new();

    public SmtpEmailSender(EmailSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _slots = new SemaphoreSlim(Math.Clamp(settings.MaxConnections, 1, EmailSettings.MaxConnectionsLimit));
    }

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        SmtpClient? client = null;
        try
        {
            // A slot is held while a connection exists outside the idle stack, so there are never more than MaxConnections.
            var taken = await TakeAsync(cancellationToken);
            client = taken.Client;
            await client.SendAsync(message, cancellationToken);
            var used = taken with { Messages = taken.Messages + 1, IdleSince = _time.GetTimestamp() };
            client = null;
            if (used.Messages >= MessagesPerConnection || _time.GetElapsedTime(used.ConnectedAt) >= ConnectionLifetime)
            {
                await CloseAsync(used.Client);
            }
            else
            {
                _idle.Push(used);
            }
        }
        finally
        {
            client?.Dispose();
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryPop(out var idle))
        {
            await CloseAsync(idle.Client);
        }

        _slots.Dispose();
    }

    /// <summary>Closes the idle connections without QUIT (a host disposed synchronously).</summary>
    public void Dispose()
    {
        while (_idle.TryPop(out var idle))
        {
            idle.Client.Dispose();
        }

        _slots.Dispose();
    }

    private async Task<Pooled> TakeAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryPop(out var idle))
        {
            var idleFor = _time.GetElapsedTime(idle.IdleSince);
            if (!idle.Client.IsConnected || idleFor >= CloseAfterIdle)
            {
                await CloseAsync(idle.Client);
                continue;
            }

            if (idleFor >= CheckAfterIdle)
            {
                try
                {
                    await idle.Client.NoOpAsync(cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    idle.Client.Dispose();
                    continue;
                }
            }

            return idle;
        }

        var connected = await ConnectAsync(cancellationToken);
        var now = _time.GetTimestamp();
        return new Pooled(connected, now, 0, now);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)_settings.Smtp.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(_settings.Smtp.Host ?? throw new InvalidOperationException("Setting Email:Smtp:Host is not set."), _settings.Smtp.Port, _settings.Smtp.SocketOptions, cancellationToken);
            if (!string.IsNullOrEmpty(_settings.Smtp.UserName))
            {
                await client.AuthenticateAsync(_settings.Smtp.UserName, _settings.Smtp.Password ?? "", cancellationToken);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A connection of the pool: when it was opened, how many messages it carried, since when it is idle.</summary>
    private sealed record Pooled(SmtpClient Client, long ConnectedAt, int Messages, long IdleSince);

    /// <summary>
    /// QUIT politely when the server still listens; a connection that is gone is just let go. Never
    /// throws: it runs after a message was accepted, and a failure here must not make it look unsent.
    /// </summary>
    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(quit: true, quick.Token);
            }
        }
        catch (Exception)
        {
            // Best effort, whatever the socket or the server does: it may have dropped the session already.
        }
        finally
        {
            client.Dispose();
        }
    }
}
