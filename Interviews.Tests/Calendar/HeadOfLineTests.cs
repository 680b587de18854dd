using System.Diagnostics;
using Interviews.Functions.Calendar;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Interviews.Tests.Calendar;

/// <summary>One user's calendar that never answers holds back nobody else: deliveries run side by side, each connection's calls are bounded in number and time.</summary>
public sealed class HeadOfLineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Longer than the whole test may take: a delivery that waited for it would show.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_calendar_that_hangs_for_one_user_holds_back_no_other_users_events_and_catches_up_once_it_answers()
    {
        using var host = new CalendarTestHost(extraSettings: new Dictionary<string, string?>
        {
            ["Calendar:ProviderTimeout"] = "00:00:02",
            ["Calendar:ConnectionBusyWait"] = "00:00:01",
        });
        var aliceUser = LocalHostFactory.NewUser();
        using var alice = host.Factory.ClientFor(aliceUser);
        using var bob = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        var aliceToken = host.Google.IssuedTokens.Last(t => t.StartsWith("access-", StringComparison.Ordinal));
        await host.ConnectAsync(bob, "google");

        // Every call made with Alice's token hangs (a stuck provider connection).
        var hang = Guid.NewGuid();
        host.Google.Server.Given(Request.Create().UsingAnyMethod().WithHeader("Authorization", $"Bearer {aliceToken}"))
            .WithGuid(hang)
            .AtPriority(-10)
            .RespondWith(Response.Create().WithDelay(Hang).WithStatusCode(200));
        var aliceIds = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            aliceIds.Add((await alice.ScheduleAsync(host.Factory, 3 + i)).Id);
            await bob.ScheduleAsync(host.Factory, 3 + i);
        }

        var watch = Stopwatch.StartNew();
        await host.PumpAsync();
        watch.Stop();

        // Bob's four events are in his calendar although Alice's calls never came back; the pump's
        // deliveries finished long before her provider would have answered.
        Assert.Equal(4, host.Google.LiveEvents.Count);
        Assert.True(watch.Elapsed < Hang, $"The deliveries waited for the hung calendar ({watch.Elapsed}).");
        var (connection, _) = (await host.Factory.Services.GetRequiredService<CalendarStore>().GetConnectionAsync(DevelopmentTokens.UserIdOf(aliceUser), "google", Token))!.Value;
        Assert.Equal(aliceIds.Select(Guid.Parse).Order(), connection.Pending.Order());
        Assert.NotNull(connection.RetryAfter);
        Assert.NotNull(connection.SyncRequestedFor);

        // Her calendar answers again: once the retry's wait is over, her connection's sync catches up.
        host.Google.Server.DeleteMapping(hang);
        host.Factory.Clock.Advance(TimeSpan.FromMinutes(2));
        await host.Factory.DrainQueuesAsync();
        Assert.Equal(8, host.Google.LiveEvents.Count);
        Assert.Equal(8, host.Google.Inserts);
        (connection, _) = (await host.Factory.Services.GetRequiredService<CalendarStore>().GetConnectionAsync(DevelopmentTokens.UserIdOf(aliceUser), "google", Token))!.Value;
        Assert.Empty(connection.Pending);
        Assert.Null(connection.LastError);

        // Every connection's gate is gone once nobody uses it (the limiter keeps no state per idle connection).
        Assert.Equal(0, host.Factory.Services.GetRequiredService<ConnectionLimiter>().ActiveConnections);
    }

    [Fact]
    public async Task A_burst_of_sync_requests_for_one_connection_queues_one_sync()
    {
        using var host = new CalendarTestHost();
        var user = LocalHostFactory.NewUser();
        using var alice = host.Factory.ClientFor(user);
        await host.ConnectAsync(alice, "google");
        var requests = host.Factory.Services.GetRequiredService<ICalendarSyncRequests>();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => requests.RequestAsync(DevelopmentTokens.UserIdOf(user), "google", "push", Token)));
        var queue = host.Factory.Services.GetRequiredService<Interviews.Functions.Queues.EmbeddedWorkQueue>();
        Assert.Equal(1, await queue.CountAsync(CalendarConnectionFunctions.Queue, Token));

        // The sync clears the mark first: a request after it queues a sync of its own.
        await host.Factory.DrainQueuesAsync();
        await requests.RequestAsync(DevelopmentTokens.UserIdOf(user), "google", "push", Token);
        Assert.Equal(1, await queue.CountAsync(CalendarConnectionFunctions.Queue, Token));
    }

    [Fact]
    public async Task The_reconcile_timer_queues_one_sync_per_connection_and_the_syncs_read_the_changes()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        await host.ConnectAsync(bob, "google");
        var reconciler = host.Factory.Services.GetRequiredService<CalendarReconciler>();
        Assert.Equal(3, await reconciler.RunOnceAsync(Token));
        var reads = host.Google.Requests.Count(r => r.StartsWith("GET /calendar/v3/calendars/primary/events", StringComparison.Ordinal));
        await host.Factory.DrainQueuesAsync();
        Assert.Equal(reads + 2, host.Google.Requests.Count(r => r.StartsWith("GET /calendar/v3/calendars/primary/events", StringComparison.Ordinal)));
    }
}
