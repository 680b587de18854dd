using Interviews.Functions.Reminders;
using Interviews.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Interviews.Tests.Reminders;

/// <summary>The SMTP sender keeps a bounded pool of connections to a real SMTP server on loopback.</summary>
public sealed class SmtpConnectionPoolTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(LocalHostFactory.Start);
    private SmtpSink _smtp = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _smtp = SmtpSink.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _smtp.DisposeAsync();

    private SmtpEmailSender Sender(int maxConnections) => new(
        new EmailSettings
        {
            Smtp = new SmtpSettings { Host = "127.0.0.1", Port = _smtp.Port, Security = "none", Timeout = TimeSpan.FromSeconds(5) },
            From = "reminders@interviews.test",
            MaxConnections = maxConnections,
        },
        _clock);

    private static MimeMessage Message(int number)
    {
        var message = new MimeMessage { Subject = $"Message {number}" };
        message.From.Add(MailboxAddress.Parse("reminders@interviews.test"));
        message.To.Add(MailboxAddress.Parse($"candidate{number}@example.com"));
        message.Body = new TextPart("plain") { Text = "Hello" };
        return message;
    }

    [Fact]
    public async Task Forty_messages_sent_at_once_share_at_most_the_pool_s_three_connections()
    {
        await using var sender = Sender(maxConnections: 3);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => sender.SendAsync(Message(i), Token)));

        Assert.Equal(40, _smtp.Messages.Count);
        Assert.InRange(_smtp.Connections, 1, 3);
        Assert.InRange(_smtp.PeakOpenConnections, 1, 3);
    }

    [Fact]
    public async Task Messages_one_after_another_reuse_one_connection()
    {
        await using var sender = Sender(maxConnections: 4);
        for (var i = 0; i < 5; i++)
        {
            await sender.SendAsync(Message(i), Token);
            _clock.Advance(SmtpEmailSender.CheckAfterIdle + TimeSpan.FromSeconds(1));
        }

        // Idle past the check each time: a NOOP found it alive, and it was used again.
        Assert.Equal(5, _smtp.Messages.Count);
        Assert.Equal(1, _smtp.Connections);
    }

    [Fact]
    public async Task A_connection_the_server_dropped_is_found_by_the_idle_check_and_replaced()
    {
        await using var sender = Sender(maxConnections: 2);
        await sender.SendAsync(Message(1), Token);
        await _smtp.StopAsync();
        _smtp.Resume();
        _clock.Advance(SmtpEmailSender.CheckAfterIdle + TimeSpan.FromSeconds(1));

        await sender.SendAsync(Message(2), Token);

        Assert.Equal(2, _smtp.Messages.Count);
        Assert.Equal(2, _smtp.Connections);
    }

    [Fact]
    public async Task A_connection_idle_too_long_is_closed_and_a_new_one_opened()
    {
        await using var sender = Sender(maxConnections: 2);
        await sender.SendAsync(Message(1), Token);
        _clock.Advance(SmtpEmailSender.CloseAfterIdle);

        await sender.SendAsync(Message(2), Token);

        Assert.Equal(2, _smtp.Connections);
    }

    [Fact]
    public async Task A_failed_send_leaves_no_broken_connection_behind()
    {
        await using var sender = Sender(maxConnections: 1);
        await sender.SendAsync(Message(1), Token);
        await _smtp.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => sender.SendAsync(Message(2), Token));
        _smtp.Resume();

        // No idle check (no time passed): the failed connection was discarded, not kept for this send.
        await sender.SendAsync(Message(3), Token);
        Assert.Equal(["Message 1", "Message 3"], _smtp.Messages.Select(m => m.Subject));
    }
}
