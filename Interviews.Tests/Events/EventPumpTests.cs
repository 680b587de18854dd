using Interviews.Domain;
using System.Collections.Concurrent;
using Azure;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Interviews.Functions.Events;
using Interviews.Functions.Reminders;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Interviews.Tests.Events;

/// <summary>The event pump: order, retries with back-off, dead letters and their replay, and the integration events.</summary>
public sealed class EventPumpTests
{
    /// <summary>A handler that records what it gets and fails on one event type while <see cref="Failing"/> is set.</summary>
    private sealed class RecordingHandler(string failOn) : IEventHandler<IDomainEvent>
    {
        public ConcurrentQueue<IDomainEvent> Handled { get; } = new();

        public bool Failing { get; set; } = true;

        public int Calls;

        public string Name => "recording";

        public Task HandleAsync(IDomainEvent domainEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (Failing && domainEvent.GetType().Name == failOn)
            {
                throw new InvalidOperationException($"cannot handle {domainEvent.GetType().Name}");
            }

            Handled.Enqueue(domainEvent);
            return Task.CompletedTask;
        }
    }

    private static LocalHostFactory Factory(RecordingHandler handler, Dictionary<string, string?>? settings = null) =>
        LocalHostFactory.WithSettings(
            new Dictionary<string, string?>(settings ?? []) { ["Events:MaxAttempts"] = "3", ["Events:FirstRetryDelay"] = "00:00:10" },
            TestEventHandlers.BesideThePlanner(handler));

    [Fact]
    public async Task Events_reach_a_handler_once_each_through_its_queue()
    {
        var handler = new RecordingHandler(failOn: "none");
        using var factory = Factory(handler);
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { researchCompleted = true });
        await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = factory.Clock.GetUtcNow().AddDays(9), initiatedBy = "Company" });
        await client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null);
        await factory.RunTimerAsync("EventPump");
        await factory.RunTimerAsync("EventPump");
        // The queue promises no order (handlers work from the current state); each event arrives once.
        Assert.Equal(["InterviewCancelled", "InterviewPrepared", "InterviewRescheduled", "InterviewScheduled"], handler.Handled.Select(e => e.GetType().Name).Order());
        Assert.Equal(4, handler.Handled.Select(e => e.EventId).Distinct().Count());
        Assert.All(handler.Handled, e => Assert.Equal(Guid.Parse(id), e.InterviewId));
    }

    [Fact]
    public async Task A_failing_event_is_retried_with_back_off_then_parked_and_later_events_still_flow()
    {
        var handler = new RecordingHandler(failOn: "InterviewPrepared");
        using var factory = Factory(handler);
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { researchCompleted = true });
        await client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null);

        await factory.RunTimerAsync("EventPump");
        // The failing event waits for its retry; the events behind it are not held back.
        Assert.Equal(["InterviewCancelled", "InterviewScheduled"], handler.Handled.Select(e => e.GetType().Name).Order());
        var calls = handler.Calls;
        await factory.RunTimerAsync("EventPump");
        Assert.Equal(calls, handler.Calls); // within the back-off: not tried

        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        await factory.RunTimerAsync("EventPump");
        Assert.Equal(calls + 1, handler.Calls); // second attempt, still failing
        factory.Clock.Advance(TimeSpan.FromSeconds(20));
        await factory.RunTimerAsync("EventPump");

        // The third attempt failed: parked; the cancellation behind it was delivered.
        Assert.Equal(["InterviewCancelled", "InterviewScheduled"], handler.Handled.Select(e => e.GetType().Name).Order());
        var deadLetters = factory.Services.GetRequiredService<DeadLetters>();
        var (letterId, letter) = Assert.Single(await deadLetters.ListAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal("recording", letter.Handler);
        Assert.Equal("InterviewPrepared", letter.Type);
        Assert.Equal(3, letter.Attempts);
        Assert.Contains("cannot handle InterviewPrepared", letter.Error, StringComparison.Ordinal);
        Assert.Null(letter.ReplayedAt);

        // The other handler (reminders) was never held back.
        var plan = await factory.Services.GetRequiredService<ReminderStore>().GetPlanAsync(LocalHostFactoryUser(client), Guid.Parse(id), TestContext.Current.CancellationToken);
        Assert.Empty(plan.Plan.Entries);

        // An operator replays it once the cause is fixed.
        handler.Failing = false;
        Assert.True(await deadLetters.ReplayAsync(letterId, factory.Services.GetRequiredService<IEnumerable<IEventHandler>>(), TestContext.Current.CancellationToken));
        Assert.Equal("InterviewPrepared", handler.Handled.Last().GetType().Name);
        Assert.NotNull(Assert.Single(await deadLetters.ListAsync(10, TestContext.Current.CancellationToken)).Letter.ReplayedAt);
    }

    [Fact]
    public async Task The_dead_letters_command_lists_what_is_parked()
    {
        var handler = new RecordingHandler(failOn: "InterviewScheduled");
        using var factory = Factory(handler, new() { ["Events:MaxAttempts"] = "1" });
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        await client.ScheduleAsync(factory);
        await factory.RunTimerAsync("EventPump");
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 3; i++)
        {
            await factory.RunTimerAsync("EventPump");
            factory.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await DeadLettersCommand.RunAsync(["list", $"--Storage:SqlitePath={factory.DatabasePath}"], output, error));
        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("recording:", line, StringComparison.Ordinal);
        Assert.Contains("InterviewScheduled", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_event_is_published_as_a_cloud_event_when_a_topic_is_set()
    {
        // Event Grid itself cannot run here: its client is mocked (Moq).
        var published = new ConcurrentQueue<CloudEvent>();
        var grid = new Mock<EventGridPublisherClient>();
        grid.Setup(g => g.SendEventAsync(It.IsAny<CloudEvent>(), It.IsAny<CancellationToken>()))
            .Callback<CloudEvent, CancellationToken>((e, _) => published.Enqueue(e))
            .ReturnsAsync(Mock.Of<Response>());
        using var factory = LocalHostFactory.WithSettings(
            new Dictionary<string, string?> { ["EventGrid:TopicEndpoint"] = "https://topic.example/api/events" },
            services => services.AddSingleton(grid.Object));
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var (id, _, _) = await client.ScheduleAsync(factory);
        await client.SendJsonAsync(HttpMethod.Delete, $"/api/interviews/{id}", null);
        await factory.RunTimerAsync("EventPump");

        Assert.Equal(["Interviews.InterviewScheduled", "Interviews.InterviewCancelled"], published.Select(e => e.Type));
        Assert.All(published, e =>
        {
            Assert.Equal("/interviews", e.Source);
            Assert.Equal($"interviews/{id}", e.Subject);
            Assert.True(Guid.TryParse(e.Id, out _));
        });
        Assert.Equal(id, published.First().Data!.ToObjectFromJson<System.Text.Json.JsonElement>().GetProperty("interviewId").GetString());
    }

    private static Guid LocalHostFactoryUser(HttpClient client)
    {
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var subject = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Subject;
        return DevelopmentTokens.UserIdOf(subject);
    }
}
