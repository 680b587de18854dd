using Interviews.Functions.Queues;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Interviews.Tests.Queues;

/// <summary>The embedded work queue in a real SQLite file: the Azure Storage Queue semantics the queue triggers rely on.</summary>
public sealed class EmbeddedWorkQueueTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly TestFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly SqliteDocumentContainer _file;
    private readonly EmbeddedWorkQueue _queue;

    public EmbeddedWorkQueueTests()
    {
        _file = new SqliteDocumentContainer(_folder.Database(), [], _clock);
        _queue = new EmbeddedWorkQueue(_file, _clock);
    }

    [Fact]
    public async Task A_received_message_is_invisible_for_its_lease_and_comes_back_when_it_runs_out()
    {
        await _queue.SendAsync("work", "one", Token);
        var first = Assert.Single(await _queue.ReceiveAsync("work", 10, TimeSpan.FromSeconds(30), Token));
        Assert.Equal(("one", 1), (first.Body, first.DequeueCount));
        Assert.Empty(await _queue.ReceiveAsync("work", 10, TimeSpan.FromSeconds(30), Token));

        // Its receiver stopped (a crash): the message is handed out again, one dequeue more.
        _clock.Advance(TimeSpan.FromSeconds(31));
        var second = Assert.Single(await _queue.ReceiveAsync("work", 10, TimeSpan.FromSeconds(30), Token));
        Assert.Equal(2, second.DequeueCount);
        Assert.False(await _queue.CompleteAsync(first, Token)); // the old receipt no longer holds it
        Assert.True(await _queue.CompleteAsync(second, Token));
        Assert.Equal(0, await _queue.CountAsync("work", Token));
    }

    [Fact]
    public async Task A_delayed_message_waits_and_a_renewed_lease_keeps_a_long_handling_exclusive()
    {
        await _queue.SendAsync("work", ["later"], TimeSpan.FromMinutes(2), Token);
        Assert.Empty(await _queue.ReceiveAsync("work", 10, TimeSpan.FromSeconds(30), Token));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(2), await _queue.NextVisibleAsync("work", Token));

        _clock.Advance(TimeSpan.FromMinutes(2));
        var message = Assert.Single(await _queue.ReceiveAsync("work", 10, TimeSpan.FromSeconds(30), Token));
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await _queue.RenewAsync(message, TimeSpan.FromSeconds(30), Token));
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(await _queue.ReceiveAsync("work", 10, TimeSpan.FromSeconds(30), Token));
    }

    [Fact]
    public async Task Queues_are_apart_and_messages_come_oldest_first_in_batches()
    {
        await _queue.SendAsync("a", [.. Enumerable.Range(1, 5).Select(i => $"a{i}")], TimeSpan.Zero, Token);
        await _queue.SendAsync("b", "b1", Token);
        var batch = await _queue.ReceiveAsync("a", 3, TimeSpan.FromSeconds(30), Token);
        Assert.Equal(["a1", "a2", "a3"], batch.Select(m => m.Body));
        Assert.Equal(["a4", "a5"], (await _queue.ReceiveAsync("a", 3, TimeSpan.FromSeconds(30), Token)).Select(m => m.Body));
        Assert.Equal(["b1"], (await _queue.ReceiveAsync("b", 3, TimeSpan.FromSeconds(30), Token)).Select(m => m.Body));
    }

    [Fact]
    public async Task A_released_message_keeps_its_dequeue_count_and_a_poisoned_one_moves_to_the_poison_queue()
    {
        await _queue.SendAsync("work", "bad", Token);
        var message = Assert.Single(await _queue.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30), Token));
        Assert.True(await _queue.ReleaseAsync(message, TimeSpan.Zero, Token));
        message = Assert.Single(await _queue.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30), Token));
        Assert.Equal(2, message.DequeueCount);

        Assert.True(await _queue.MoveToPoisonAsync(message, Token));
        Assert.Equal(0, await _queue.CountAsync("work", Token));
        Assert.Equal("bad", Assert.Single(await _queue.ReceiveAsync("work-poison", 1, TimeSpan.FromSeconds(30), Token)).Body);
    }

    [Fact]
    public async Task A_sender_wakes_a_waiting_receiver_at_once()
    {
        var waiting = _queue.WaitForMessagesAsync("work", TimeSpan.FromMinutes(5), Token);
        Assert.False(waiting.IsCompleted);
        await _queue.SendAsync("work", "wake", Token);
        await waiting.WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public void The_host_json_queue_settings_are_read_with_the_hosts_defaults_for_what_is_missing()
    {
        var path = Path.Combine(_folder.Path, "host.json");
        File.WriteAllText(path, """{ "version": "2.0", "extensions": { "queues": { "batchSize": 4, "maxDequeueCount": 3, "visibilityTimeout": "00:00:07" } } }""");
        var settings = QueueHostSettings.Read(path);
        Assert.Equal(new QueueHostSettings(4, 2, 3, TimeSpan.FromSeconds(7), TimeSpan.FromMinutes(1)), settings);
        Assert.Equal(6, settings.Concurrency);
        Assert.Equal(QueueHostSettings.Defaults, QueueHostSettings.Read(Path.Combine(_folder.Path, "missing.json")));
    }

    [Theory]
    [InlineData("events-calendar", true)]
    [InlineData("calendar-connections-poison", true)]
    [InlineData("Events", false)]
    [InlineData("ab", false)]
    [InlineData("a--b", false)]
    [InlineData("-ab", false)]
    public void Queue_names_follow_azure_storages_rules(string name, bool valid) => Assert.Equal(valid, WorkQueues.IsValidName(name));

    public void Dispose()
    {
        _file.Dispose();
        _folder.Dispose();
    }
}
