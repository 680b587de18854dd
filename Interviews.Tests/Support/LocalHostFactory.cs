using System.Net;
using Interviews.LocalHost;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Interviews.Tests.Support;

/// <summary>
/// LocalHost on real Kestrel (127.0.0.1, a free port) over its own SQLite file, with a fake clock for
/// the domain. Tokens are minted with the development settings LocalHost ships and the real clock,
/// since token lifetimes are checked against the real clock.
/// </summary>
public sealed class LocalHostFactory : WebApplicationFactory<Interviews.LocalHost.Program>
{
    /// <summary>The domain clock's start: a fixed Monday, so that tests read the same every day.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly TestFolder? _folder;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public LocalHostFactory()
        : this(null, null)
    {
    }

    /// <summary>A server over an existing database file, which it leaves in place (to test a restart).</summary>
    public static LocalHostFactory OnDatabase(string databasePath) => new(databasePath, null);

    /// <summary>A server over a database file of the test's choosing (on a small volume, say), with more settings.</summary>
    public static LocalHostFactory OnDatabase(string databasePath, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null) =>
        new(databasePath, settings) { ExtraServices = configureServices };

    /// <summary>A server with more settings (e.g. Cosmos DB's).</summary>
    public static LocalHostFactory WithSettings(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null) =>
        new(null, settings) { ExtraServices = configureServices };

    private LocalHostFactory(string? databasePath, IReadOnlyDictionary<string, string?>? settings)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        _folder = databasePath is null ? new TestFolder() : null;
        DatabasePath = databasePath ?? _folder!.Database();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public string DatabasePath { get; }

    public FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>Extra service changes applied after LocalHost's own (a failing store, a log collector…).</summary>
    public Action<IServiceCollection>? ExtraServices { get; init; }

    /// <summary>The development token settings LocalHost ships in its appsettings.json.</summary>
    public static DevelopmentTokens DevelopmentTokens { get; } = DevelopmentTokens.From(
        new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json").Build());

    public DevelopmentTokens Tokens => DevelopmentTokens;

    /// <summary>A user name no other test uses, so that tests sharing a server never see each other's data.</summary>
    public static string NewUser() => $"user-{Guid.NewGuid():N}";

    /// <summary>A client of the real server, authenticated as <paramref name="user"/> (null: anonymous).</summary>
    public HttpClient ClientFor(string? user) => ClientFor(user, null);

    /// <summary>A client whose token also carries an <c>email</c> claim.</summary>
    public HttpClient ClientFor(string? user, string? email)
    {
        StartServer();
        var client = CreateClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Tokens.Mint(user, email, DateTimeOffset.UtcNow));
        }

        return client;
    }

    /// <summary>
    /// Runs a timer function once, as its schedule would, then the queue functions until the work it
    /// queued is done (the factory turns LocalHost's own timer and queue loops off).
    /// </summary>
    public async Task RunTimerAsync(string function)
    {
        await RunTimerOnlyAsync(function);
        await DrainQueuesAsync();
    }

    /// <summary>Runs a timer function once and leaves what it queued in the queues (to look at them).</summary>
    public async Task RunTimerOnlyAsync(string function)
    {
        StartServer();
        var timer = Services.GetRequiredService<IReadOnlyList<LocalTimer>>().Single(t => t.Name == function);
        await FunctionTimers.RunOnceAsync(timer, Services, TestContext.Current.CancellationToken);
    }

    /// <summary>Runs the queue functions until no visible message is left (a retry's delayed message stays).</summary>
    public Task<int> DrainQueuesAsync()
    {
        StartServer();
        return FunctionQueues.DrainAsync(Services, TestContext.Current.CancellationToken);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:SqlitePath", DatabasePath);
        // Tests run the timer functions themselves, on the fake clock.
        builder.UseSetting("LocalHost:RunTimers", "false");
        builder.UseSetting("LocalHost:RunQueues", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ExtraServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder?.Dispose();
        }
    }
}
