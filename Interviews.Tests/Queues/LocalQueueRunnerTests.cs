using System.Collections.Concurrent;
using Interviews.Functions.Hosting;
using Interviews.Functions.Queues;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Queues;

/// <summary>LocalHost runs queue functions from their [QueueTrigger] attributes, with host.json's queue settings, over the embedded queue.</summary>
public sealed class LocalQueueRunnerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>What the test functions were given, by queue.</summary>
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Received = new();

    public sealed class TestFunctions
    {
        public Task Fail(string message, CancellationToken cancellationToken)
        {
            Received.GetOrAdd("failing-" + message, _ => new()).Enqueue(message);
            throw new InvalidOperationException("always fails");
        }

        public Task Succeed(string message, CancellationToken cancellationToken)
        {
            Received.GetOrAdd("ok-" + message, _ => new()).Enqueue(message);
            return Task.CompletedTask;
        }
    }

    private static LocalHostFactory Factory() => LocalHostFactory.WithSettings(new Dictionary<string, string?>(), services =>
        services.AddSingleton<IReadOnlyList<LocalQueueFunction>>(sp =>
        [
            .. FunctionQueues.Find(typeof(InterviewsRegistration).Assembly, sp.GetRequiredService<IConfiguration>()),
            new LocalQueueFunction("TestFail", typeof(TestFunctions), typeof(TestFunctions).GetMethod(nameof(TestFunctions.Fail))!, "test-failing"),
            new LocalQueueFunction("TestSucceed", typeof(TestFunctions), typeof(TestFunctions).GetMethod(nameof(TestFunctions.Succeed))!, "test-ok"),
        ]));

    [Fact]
    public void Every_queue_trigger_of_the_functions_is_found_with_its_queue()
    {
        var configuration = new ConfigurationBuilder().Build();
        var found = FunctionQueues.Find(typeof(InterviewsRegistration).Assembly, configuration).ToDictionary(f => f.Name, f => f.Queue);
        Assert.Equal("events-calendar", found["CalendarSyncEvents"]);
        Assert.Equal("events-calendar-poison", found["CalendarSyncEventsPoison"]);
        Assert.Equal("events-reminders", found["ReminderPlanningEvents"]);
        Assert.Equal("events-insights", found["InsightsEvents"]);
        Assert.Equal("events-integration-events", found["IntegrationEvents"]);
        Assert.Equal("calendar-connections", found["CalendarConnectionSync"]);
        Assert.Equal("reminders-due", found["SendDueReminder"]);
        Assert.Equal("reminders-due-poison", found["SendDueReminderPoison"]);
        Assert.All(found.Values, q => Assert.True(WorkQueues.IsValidName(q), q));
    }

    [Fact]
    public void Every_queue_a_trigger_reads_is_created_by_the_infrastructure_with_its_poison_queue()
    {
        var bicep = File.ReadAllText(Path.Combine(NodePackages.RepositoryRoot, "infra", "main.bicep"));
        var listed = bicep[bicep.IndexOf("var workQueues = [", StringComparison.Ordinal)..];
        listed = listed[..listed.IndexOf(']', StringComparison.Ordinal)];
        var queues = FunctionQueues.Find(typeof(InterviewsRegistration).Assembly, new ConfigurationBuilder().Build())
            .Select(f => f.Queue).Where(q => !q.EndsWith(WorkQueues.PoisonSuffix, StringComparison.Ordinal)).Distinct();
        // Each listed queue gets its -poison queue from the storage module.
        Assert.All(queues, q => Assert.Contains($"'{q}'", listed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_that_always_fails_is_retried_after_the_visibility_timeout_then_moved_to_the_poison_queue()
    {
        using var factory = Factory();
        factory.ClientFor(null).Dispose();
        var queue = factory.Services.GetRequiredService<EmbeddedWorkQueue>();
        var settings = factory.Services.GetRequiredService<QueueHostSettings>();
        var id = Guid.NewGuid().ToString("N");
        await queue.SendAsync("test-failing", id, Token);
        for (var attempt = 0; attempt < settings.MaxDequeueCount + 2; attempt++)
        {
            await factory.DrainQueuesAsync();
            factory.Clock.Advance(settings.VisibilityTimeout + TimeSpan.FromSeconds(1));
        }

        Assert.Equal(settings.MaxDequeueCount, Received["failing-" + id].Count);
        Assert.Equal(0, await queue.CountAsync("test-failing", Token));
        Assert.Equal(1, await queue.CountAsync("test-failing-poison", Token));
    }

    [Fact]
    public async Task A_handled_message_is_deleted_and_handled_once()
    {
        using var factory = Factory();
        factory.ClientFor(null).Dispose();
        var queue = factory.Services.GetRequiredService<EmbeddedWorkQueue>();
        var id = Guid.NewGuid().ToString("N");
        await queue.SendAsync("test-ok", id, Token);
        Assert.True(await factory.DrainQueuesAsync() >= 1);
        await factory.DrainQueuesAsync();
        Assert.Single(Received["ok-" + id]);
        Assert.Equal(0, await queue.CountAsync("test-ok", Token));
    }

    [Fact]
    public async Task With_its_queues_running_LocalHost_handles_a_message_as_soon_as_it_is_sent()
    {
        using var factory = LocalHostFactory.WithSettings(new Dictionary<string, string?> { ["LocalHost:RunQueues"] = "true" }, services =>
            services.AddSingleton<IReadOnlyList<LocalQueueFunction>>(
            [
                new LocalQueueFunction("TestSucceed", typeof(TestFunctions), typeof(TestFunctions).GetMethod(nameof(TestFunctions.Succeed))!, "test-ok"),
            ]));
        factory.ClientFor(null).Dispose();
        var id = Guid.NewGuid().ToString("N");
        await factory.Services.GetRequiredService<IWorkQueue>().SendAsync("test-ok", id, Token);
        var queue = factory.Services.GetRequiredService<EmbeddedWorkQueue>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!Received.ContainsKey("ok-" + id) || await queue.CountAsync("test-ok", Token) > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "LocalHost's queue runner did not handle the message.");
            await Task.Delay(20, Token);
        }

        Assert.Single(Received["ok-" + id]);
    }

    [Fact]
    public async Task With_its_queues_running_LocalHost_handles_a_burst_of_full_batches_to_the_last_message()
    {
        using var factory = LocalHostFactory.WithSettings(new Dictionary<string, string?> { ["LocalHost:RunQueues"] = "true" }, services =>
            services.AddSingleton<IReadOnlyList<LocalQueueFunction>>(
            [
                new LocalQueueFunction("TestSucceed", typeof(TestFunctions), typeof(TestFunctions).GetMethod(nameof(TestFunctions.Succeed))!, "test-ok"),
            ]));
        factory.ClientFor(null).Dispose();
        var ids = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        await factory.Services.GetRequiredService<IWorkQueue>().SendAsync("test-ok", ids, TimeSpan.Zero, Token);
        var queue = factory.Services.GetRequiredService<EmbeddedWorkQueue>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await queue.CountAsync("test-ok", Token) > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{await queue.CountAsync("test-ok", Token)} of 200 messages were never handled.");
            await Task.Delay(20, Token);
        }

        Assert.All(ids, id => Assert.Single(Received["ok-" + id]));
    }
}
