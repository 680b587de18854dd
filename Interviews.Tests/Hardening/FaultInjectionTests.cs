using Interviews.Domain;
using System.Collections.Concurrent;
using System.Net;
using Interviews.Functions.Events;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interviews.Tests.Hardening;

/// <summary>
/// Faults: the store failing or slow on any call of any operation of the document; a crash between the
/// outbox write and its dispatch; the clock corrected backwards and forwards around the pump and the
/// reminder sender. Nothing is half-applied, lost or sent twice, and every failure is a problem answer.
/// </summary>
public sealed class FaultInjectionTests
{
    private static ITestOutputHelper? Output => TestContext.Current.TestOutputHelper;

    public enum Fault
    {
        /// <summary>Reads and writes throw <see cref="StoreUnavailableException"/>, writing nothing.</summary>
        Unavailable,
        /// <summary>The call throws <see cref="TimeoutException"/> (against the seam's contract: a bug, so a 500).</summary>
        Timeout,
        /// <summary>The call throws <see cref="OperationCanceledException"/> though the client is still there.</summary>
        Cancelled,
        /// <summary>The call takes 200 ms longer.</summary>
        Slow,
        /// <summary>The call is carried out, then reported unavailable: a write applied whose acknowledgement was lost.</summary>
        LostAcknowledgement,
    }

    /// <summary>Fails the Nth call to the store after it is armed, in the way given.</summary>
    private sealed class FaultPlan
    {
        private int _armedAt = -1;
        private int _calls;

        public Fault Fault { get; private set; }

        public int Triggered;

        public void Arm(int call, Fault fault)
        {
            Fault = fault;
            Interlocked.Exchange(ref _calls, 0);
            Volatile.Write(ref _armedAt, call);
        }

        public void Disarm() => Volatile.Write(ref _armedAt, -1);

        public bool Hits()
        {
            var armed = Volatile.Read(ref _armedAt);
            if (armed < 0 || Interlocked.Increment(ref _calls) != armed)
            {
                return false;
            }

            Interlocked.Increment(ref Triggered);
            return true;
        }
    }

    private sealed class FaultyContainer(IDocumentContainer inner, FaultPlan plan) : IDocumentContainer
    {
        public Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) =>
            Around(() => inner.ReadAsync(partitionKey, id, cancellationToken));

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) =>
            Around(() => inner.QueryAsync(query, cancellationToken));

        public Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken) =>
            Around(() => inner.QuerySummariesAsync(query, cancellationToken));

        public Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken) => inner.ReadFeedAsync(continuation, maxItems, cancellationToken);

        public Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken) =>
            Around(() => inner.ReadPartitionAsync(partitionKey, afterId, limit, cancellationToken));

        public Task ProbeAsync(CancellationToken cancellationToken) => inner.ProbeAsync(cancellationToken);

        public async Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
        {
            if (!plan.Hits())
            {
                return await inner.WriteAsync(partitionKey, writes, cancellationToken);
            }

            switch (plan.Fault)
            {
                case Fault.Unavailable:
                    throw new StoreUnavailableException("injected: unavailable");
                case Fault.LostAcknowledgement:
                    await inner.WriteAsync(partitionKey, writes, cancellationToken);
                    throw new StoreUnavailableException("injected: the acknowledgement was lost");
                case Fault.Slow:
                    await Task.Delay(200, cancellationToken);
                    return await inner.WriteAsync(partitionKey, writes, cancellationToken);
                default:
                    throw Exception(plan.Fault);
            }
        }

        private async Task<T> Around<T>(Func<Task<T>> call)
        {
            if (!plan.Hits())
            {
                return await call();
            }

            switch (plan.Fault)
            {
                case Fault.Slow:
                    await Task.Delay(200);
                    return await call();
                case Fault.LostAcknowledgement:
                    await call();
                    throw new StoreUnavailableException("timed out after the read", TimeSpan.FromSeconds(2));
                default:
                    throw Exception(plan.Fault);
            }
        }

        private static Exception Exception(Fault fault) => fault switch
        {
            Fault.Unavailable => new StoreUnavailableException("throttled", TimeSpan.FromSeconds(2)),
            Fault.Timeout => new TimeoutException("The store did not answer."),
            _ => new OperationCanceledException("The store call was cancelled."),
        };
    }

    [Fact]
    public async Task A_store_failing_on_any_call_of_any_operation_gives_a_503_or_500_problem_and_never_a_half_applied_change()
    {
        var plan = new FaultPlan();
        var clock = new JumpingClock(LocalHostFactory.Start);
        using var factory = JumpingClock.Factory(clock, null, services => services.Replace(ServiceDescriptor.Singleton<IDocumentContainer>(
            sp => new FaultyContainer(sp.GetRequiredService<SqliteDocumentContainer>(), plan))));
        var probe = new StoreProbe(factory.DatabasePath);
        var userName = LocalHostFactory.NewUser();
        var userId = DevelopmentTokens.UserIdOf(userName);
        var client = factory.ClientFor(userName, "faults@example.com");
        var recipes = new OperationRecipes(clock);
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var cases = 0;

        // Calendar connections need the fake providers of Interviews.Tests/Calendar, where their outages
        // (429, 5xx, revoked grants) are tested; every other secured operation runs here.
        foreach (var operation in ApiOperation.All.Where(o => o.Secured && !o.Template.StartsWith("/calendar/connections", StringComparison.Ordinal)))
        {
            var recipe = await recipes.FindAsync(client, operation);
            Assert.True(recipe is not null, $"{operation}: no way found to make it succeed.");
            foreach (var fault in Enum.GetValues<Fault>())
            {
                for (var call = 1; call <= 3; call++)
                {
                    var id = await recipes.PrepareAsync(client, recipe);
                    var before = await probe.DigestAsync(userId);
                    plan.Arm(call, fault);
                    HttpResponseMessage response;
                    try
                    {
                        response = await OperationRecipes.SendAsync(client, operation, id, recipe.Body);
                    }
                    catch (HttpRequestException) when (operation.Template == "/me/export")
                    {
                        // The export streams page by page: once its 200 has gone out, a failing store can only
                        // cut the response short, so that no client takes a truncated export for a whole one.
                        plan.Disarm();
                        outcomes.AddOrUpdate($"{fault}: aborted stream", 1, (_, n) => n + 1);
                        cases++;
                        Assert.Equal(before, await probe.DigestAsync(userId));
                        continue;
                    }

                    plan.Disarm();
                    using var answered = response;
                    var status = (int)response.StatusCode;
                    var where = $"{operation}, {fault} on store call {call}: {status}";
                    cases++;

                    if (response.IsSuccessStatusCode)
                    {
                        outcomes.AddOrUpdate($"{fault}: {status / 100}xx", 1, (_, n) => n + 1);
                    }
                    else
                    {
                        var problem = await response.AssertProblemAsync(response.StatusCode);
                        var code = problem["code"]!.GetValue<string>();
                        Assert.True(
                            (status == 503 && code == "store-unavailable" && response.Headers.RetryAfter is not null) || (status == 500 && code == "internal-error"),
                            $"{where} {code}");
                        Assert.DoesNotContain("Exception", problem.ToJsonString(), StringComparison.Ordinal);
                        outcomes.AddOrUpdate($"{fault}: {status}", 1, (_, n) => n + 1);

                        // A refused request changed nothing, unless the store applied it and only the answer was lost.
                        var after = await probe.DigestAsync(userId);
                        if (fault != Fault.LostAcknowledgement)
                        {
                            Assert.True(before == after, $"{where}: the store changed.");
                        }
                        else if (before != after)
                        {
                            outcomes.AddOrUpdate("LostAcknowledgement: applied, answered 503", 1, (_, n) => n + 1);
                        }
                    }

                    Assert.Empty(await probe.HalfAppliedChangesAsync(userId));
                }
            }
        }

        Output?.WriteLine($"Store faults: {cases} cases ({ApiOperation.All.Count(o => o.Secured)} operations × {Enum.GetValues<Fault>().Length} faults × store calls 1–3), " +
            $"{plan.Triggered} faults triggered; outcomes: {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} ×{o.Value}"))}. Half-applied changes: 0.");
        Assert.True(plan.Triggered > cases / 3);
    }

    /// <summary>Records every delivery.</summary>
    private sealed class CountingHandler : IEventHandler<IEvent>
    {
        public ConcurrentQueue<Guid> Delivered { get; } = new();

        public string Name => "counting";

        public Task HandleAsync(IEvent domainEvent, CancellationToken cancellationToken)
        {
            Delivered.Enqueue(domainEvent.EventId);
            return Task.CompletedTask;
        }
    }

    private static Action<IServiceCollection> WithHandler(CountingHandler handler) => TestEventHandlers.BesideThePlanner(handler);

    [Fact]
    public async Task Events_written_before_a_crash_are_delivered_once_by_the_pump_of_the_restarted_host()
    {
        using var folder = new TestFolder();
        var path = folder.Database();
        try
        {
            var user = LocalHostFactory.NewUser();
            var ids = new List<string>();
            var firstHandler = new CountingHandler();
            using (var first = Restartable(path, firstHandler))
            {
                var client = first.ClientFor(user, "restart@example.com");
                for (var i = 0; i < 10; i++)
                {
                    var (id, _, _) = await client.ScheduleAsync(first, 2 + i);
                    await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { researchCompleted = true });
                    ids.Add(id);
                }

                // The crash: the outbox holds 20 events and the pump never ran.
            }

            Assert.Empty(firstHandler.Delivered);
            var handler = new CountingHandler();
            using var restarted = Restartable(path, handler);
            await restarted.RunTimerAsync("EventPump");
            await restarted.RunTimerAsync("EventPump");
            Assert.Equal(20, handler.Delivered.Count);
            Assert.Equal(20, handler.Delivered.Distinct().Count());

            // The reminders were planned from them too: each interview has its plan.
            var plans = restarted.Services.GetRequiredService<ReminderStore>();
            foreach (var id in ids)
            {
                var (plan, etag) = await plans.GetPlanAsync(DevelopmentTokens.UserIdOf(user), Guid.Parse(id), TestContext.Current.CancellationToken);
                Assert.NotNull(etag);
                Assert.NotEmpty(plan.Entries);
            }

            Output?.WriteLine($"Crash between outbox write and dispatch: 20 events written, {handler.Delivered.Count} delivered after the restart, {handler.Delivered.Count - handler.Delivered.Distinct().Count()} duplicates, {ids.Count} reminder plans.");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task A_crash_between_dispatch_and_checkpoint_redelivers_and_the_email_still_goes_once()
    {
        await using var smtp = SmtpSink.Start();
        var handler = new CountingHandler();
        using var factory = LocalHostFactory.WithSettings(smtp.Settings, WithHandler(handler));
        var client = factory.ClientFor(LocalHostFactory.NewUser(), "checkpoint@example.com");
        await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { nudgesEnabled = false, reminderMinutesBefore = new[] { 60 } });
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await client.ScheduleAsync(factory, 2 + (i / 24.0))).Id);
        }

        var checkpoints = factory.Services.GetRequiredService<ICheckpointStore>();
        var saved = new Dictionary<string, string?>();
        foreach (var name in new[] { "event-pump:reminders", "event-pump:counting" })
        {
            saved[name] = await checkpoints.ReadAsync(name, TestContext.Current.CancellationToken);
        }

        await factory.RunTimerAsync("EventPump");
        const string Fresh = """{"continuation":null,"failingEventId":null,"attempts":0,"retryAt":null,"handledInPage":null}""";
        foreach (var (name, value) in saved)
        {
            await checkpoints.WriteAsync(name, value ?? Fresh, TestContext.Current.CancellationToken);
        }

        await factory.RunTimerAsync("EventPump");
        await factory.RunTimerAsync("EventPump");
        var start = factory.Clock.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            // Each interview's 60-minute reminder falls due in turn; the sender runs twice each time.
            factory.Clock.SetUtcNow(start.AddDays(2).AddHours(i).AddMinutes(-59));
            await factory.RunTimerAsync("SendReminders");
            await factory.RunTimerAsync("SendReminders");
        }

        // Five schedules and the settings change: every event handed over twice, each e-mail sent once.
        var events = handler.Delivered.Distinct().Count();
        Assert.Equal(6, events);
        Assert.Equal(2 * events, handler.Delivered.Count);
        Assert.Equal(5, smtp.Messages.Count);
        Assert.Equal(5, smtp.Messages.Select(m => m.Subject).Distinct().Count());
        Output?.WriteLine($"Crash between dispatch and checkpoint: {events} events delivered {handler.Delivered.Count} times (at least once), {smtp.Messages.Count} e-mails for 5 interviews (exactly once in effect).");
    }

    [Fact]
    public async Task Clock_jumps_back_and_forth_around_the_pump_and_the_sender_send_each_reminder_once_and_lose_none()
    {
        await using var smtp = SmtpSink.Start();
        var clock = new JumpingClock(LocalHostFactory.Start);
        using var factory = JumpingClock.Factory(clock, smtp.Settings);
        var client = factory.ClientFor(LocalHostFactory.NewUser(), "clock@example.com");
        await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { nudgesEnabled = false });
        var start = clock.GetUtcNow();
        var at = start.AddDays(3);
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(at, ("timezone", "UTC")).ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        async Task RunAt(DateTimeOffset instant)
        {
            clock.SetUtcNow(instant);
            await factory.RunTimerAsync("EventPump");
            await factory.RunTimerAsync("SendReminders");
        }

        // Forward past the 24-hour reminder, back before it, forward again: one e-mail.
        var jumps = new[]
        {
            at.AddHours(-24).AddMinutes(1), start, at.AddHours(-24).AddMinutes(2), at.AddHours(-30), at.AddHours(-23),
            // Then past the 1-hour reminder, back two hours, forward again, and past the interview.
            at.AddMinutes(-59), at.AddHours(-3), at.AddMinutes(-58), at.AddHours(-25), at.AddHours(1), at.AddMinutes(-30),
        };
        var sentAfter = new List<int>();
        foreach (var instant in jumps)
        {
            await RunAt(instant);
            sentAfter.Add(smtp.Messages.Count);
        }

        Assert.Equal([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2], sentAfter);
        Assert.Contains("24 hours", smtp.Messages[0].Subject, StringComparison.Ordinal);
        Assert.Contains("minutes", smtp.Messages[1].Subject, StringComparison.Ordinal);
        Output?.WriteLine($"Clock jumps: {jumps.Length} jumps (5 backwards) around the pump and the sender; e-mails after each: {string.Join(" ", sentAfter)}; 2 reminders, each sent once.");
    }

    /// <summary>
    /// A LocalHost over <paramref name="path"/> with <paramref name="handler"/> beside the planner. The
    /// setting wins over the factory's own file, so disposing it leaves <paramref name="path"/> in place.
    /// </summary>
    private static LocalHostFactory Restartable(string path, CountingHandler handler) =>
        LocalHostFactory.WithSettings(new Dictionary<string, string?> { ["Storage:SqlitePath"] = path }, WithHandler(handler));
}
