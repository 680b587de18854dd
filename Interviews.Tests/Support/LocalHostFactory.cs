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

    private readonly bool _ownsDatabase;

    public LocalHostFactory()
        : this(null)
    {
    }

    /// <summary>A server over an existing database file, which it leaves in place (to test a restart).</summary>
    public static LocalHostFactory OnDatabase(string databasePath) => new(databasePath);

    private LocalHostFactory(string? databasePath)
    {
        _ownsDatabase = databasePath is null;
        DatabasePath = databasePath ?? Path.Combine(Path.GetTempPath(), "interviews-tests", $"{Guid.NewGuid():N}.db");
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
    public HttpClient ClientFor(string? user)
    {
        StartServer();
        var client = CreateClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Tokens.Mint(user, null, DateTimeOffset.UtcNow));
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:SqlitePath", DatabasePath);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ExtraServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDatabase)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
