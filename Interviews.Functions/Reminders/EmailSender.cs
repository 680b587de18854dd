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

/// <summary>Sends through the configured SMTP relay with MailKit, one connection per message.</summary>
public sealed class SmtpEmailSender(EmailSettings settings) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)settings.Smtp.Timeout.TotalMilliseconds };
        await client.ConnectAsync(settings.Smtp.Host ?? throw new InvalidOperationException("Setting Email:Smtp:Host is not set."), settings.Smtp.Port, settings.Smtp.SocketOptions, cancellationToken);
        if (!string.IsNullOrEmpty(settings.Smtp.UserName))
        {
            await client.AuthenticateAsync(settings.Smtp.UserName, settings.Smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
