namespace Interviews.Tests.Support;

/// <summary>
/// A LocalHost whose reminders go to a real SMTP server on loopback, and a client with an e-mail
/// claim: the set-up every reminder test shares. Each test class gets its own of both.
/// </summary>
public abstract class ReminderScenario : IAsyncLifetime
{
    protected SmtpSink Smtp { get; private set; } = null!;

    protected LocalHostFactory Factory { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>The address in the client's token.</summary>
    protected virtual string Address => "candidate@example.com";

    /// <summary>The notification settings the scenario starts with (null: the defaults).</summary>
    protected virtual object? InitialSettings => null;

    /// <summary>Settings added to the SMTP server's (e.g. <c>Email:MaxConnections</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string?> MoreSettings => new Dictionary<string, string?>();

    /// <summary>Service changes applied after LocalHost's own (e.g. an e-mail sender that plays a crash).</summary>
    protected virtual void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    public async ValueTask InitializeAsync()
    {
        Smtp = SmtpSink.Start();
        Factory = LocalHostFactory.WithSettings(Smtp.Settings.Concat(MoreSettings).ToDictionary(), ConfigureServices);
        Client = Factory.ClientFor(LocalHostFactory.NewUser(), Address);
        if (InitialSettings is { } settings)
        {
            var response = await Client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", settings);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Moves the clock, then runs the event pump and the reminder sender as their timers would.</summary>
    protected async Task RunAtAsync(DateTimeOffset at)
    {
        Factory.Clock.SetUtcNow(at);
        await PumpAndSendAsync();
    }

    protected async Task PumpAndSendAsync()
    {
        await Factory.RunTimerAsync("EventPump");
        await Factory.RunTimerAsync("SendReminders");
    }
}
