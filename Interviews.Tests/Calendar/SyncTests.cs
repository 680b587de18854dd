using System.Diagnostics;
using System.Globalization;
using System.Net;
using Interviews.Functions.Calendar;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interviews.Tests.Calendar;

/// <summary>Sync on change through the event pump to fake Google Calendar and Microsoft Graph, over real HTTP.</summary>
public sealed class SyncTests
{
    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Schedule_reschedule_update_and_cancel_reach_both_calendars()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");

        var (id, _, _) = await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        var google = Assert.Single(host.Google.LiveEvents);
        Assert.Equal(GoogleCalendarClient.EventId(Guid.Parse(id)), google["id"]!.GetValue<string>());
        Assert.Equal(id, google["extendedProperties"]!["private"]![GoogleCalendarClient.InterviewIdProperty]!.GetValue<string>());
        Assert.Equal("Video interview", google["summary"]!.GetValue<string>());
        Assert.Equal("America/Los_Angeles", google["start"]!["timeZone"]!.GetValue<string>());
        Assert.Equal("https://zoom.us/j/12345", google["location"]!.GetValue<string>());
        Assert.Contains("Jane Smith, John Doe", google["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(google["reminders"]!["useDefault"]!.GetValue<bool>());
        Assert.Null(google["attendees"]);
        var outlook = Assert.Single(host.Microsoft.LiveEvents);
        Assert.Equal(id, outlook["transactionId"]!.GetValue<string>());
        Assert.False(outlook["isReminderOn"]!.GetValue<bool>());
        Assert.Equal("Pacific Standard Time", outlook["start"]!["timeZone"]!.GetValue<string>());
        Assert.Null(outlook["attendees"]);
        Assert.Equal(host.Factory.Clock.GetUtcNow().AddDays(3).UtcDateTime, FakeMicrosoft.StartOf(outlook).UtcDateTime);

        var newTime = host.Factory.Clock.GetUtcNow().AddDays(6);
        Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = Instant(newTime), initiatedBy = "Company" })).StatusCode);
        await host.PumpAsync();
        Assert.Equal(newTime, DateTimeOffset.Parse(Assert.Single(host.Google.LiveEvents)["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(newTime.UtcDateTime, FakeMicrosoft.StartOf(Assert.Single(host.Microsoft.LiveEvents)).UtcDateTime);

        var update = ApiClient.ScheduleRequest(newTime, ("location", "https://meet.google.com/abc-defg-hij"), ("interviewType", "Technical"));
        Assert.Equal(HttpStatusCode.OK, (await alice.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}", update.ToJsonString())).StatusCode);
        await host.PumpAsync();
        Assert.Equal("Technical interview", Assert.Single(host.Google.LiveEvents)["summary"]!.GetValue<string>());
        Assert.Equal("https://meet.google.com/abc-defg-hij", Assert.Single(host.Microsoft.LiveEvents)["location"]!["displayName"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/interviews/{id}", TestContext.Current.CancellationToken)).StatusCode);
        await host.PumpAsync();
        Assert.Empty(host.Google.LiveEvents);
        Assert.Empty(host.Microsoft.LiveEvents);
        Assert.Equal(1, host.Google.Inserts);
        Assert.Equal(1, host.Microsoft.Posts);

        // Delivering everything again (at least once) changes nothing.
        await host.PumpAsync();
        Assert.Equal(1, host.Google.Inserts);
        Assert.Equal(1, host.Microsoft.Posts);
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_a_sync_creates_no_duplicate_on_retry()
    {
        CrashingContainer? crashing = null;
        using var host = new CalendarTestHost(services => services.Replace(ServiceDescriptor.Singleton<IDocumentContainer>(sp =>
            crashing = new CrashingContainer(sp.GetRequiredService<SqliteDocumentContainer>()))));
        var user = LocalHostFactory.NewUser();
        using var alice = host.Factory.ClientFor(user);
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        var (id, _, _) = await alice.ScheduleAsync(host.Factory);

        // 1st delivery: both calendars get their event (side by side), then the process "dies" before
        // remembering either.
        crashing!.FailNextLinkWrites = 2;
        await host.PumpAsync();
        Assert.Single(host.Google.LiveEvents);
        Assert.Single(host.Microsoft.LiveEvents);
        Assert.Equal(0, crashing.FailNextLinkWrites);

        // The retry: Google finds its event (409 on the same id → update), Outlook finds its event by
        // the extended property and updates it; neither is created again.
        host.Factory.Clock.Advance(TimeSpan.FromSeconds(3));
        await host.PumpAsync();
        Assert.Single(host.Google.LiveEvents);
        Assert.Single(host.Microsoft.LiveEvents);
        Assert.Equal(1, host.Google.Inserts);
        Assert.Equal(1, host.Microsoft.Posts);

        // And the retry remembered both events.
        var (link, _) = await host.Factory.Services.GetRequiredService<CalendarStore>().GetLinkAsync(
            DevelopmentTokens.UserIdOf(user), Guid.Parse(id), TestContext.Current.CancellationToken);
        Assert.Equal(["google", "outlook"], link.Events.Keys.Order());
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");

        // Before its expiry time, by the clock…
        host.Factory.Clock.Advance(TimeSpan.FromMinutes(59));
        await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        Assert.Equal(1, host.Google.Refreshes);
        Assert.Equal(1, host.Microsoft.Refreshes);

        // …and when the provider says 401 although the clock says it is valid.
        host.Google.ExpireAccessTokens();
        host.Microsoft.ExpireAccessTokens();
        await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        Assert.Equal(2, host.Google.LiveEvents.Count);
        Assert.Equal(2, host.Microsoft.LiveEvents.Count);
        Assert.Equal(2, host.Google.Refreshes);
        Assert.All(await host.ConnectionsAsync(alice), c => Assert.Null(c!["lastError"]));
    }

    [Fact]
    public async Task A_revoked_grant_asks_for_consent_again_and_the_other_calendar_keeps_syncing()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        host.Google.GrantRevoked = true;
        host.Google.ExpireAccessTokens();

        await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        Assert.Empty(host.Google.LiveEvents);
        Assert.Single(host.Microsoft.LiveEvents);
        var connections = await host.ConnectionsAsync(alice);
        Assert.Equal("reconsentRequired", connections.Single(c => c!["provider"]!.GetValue<string>() == "google")!["status"]!.GetValue<string>());
        Assert.Equal("connected", connections.Single(c => c!["provider"]!.GetValue<string>() == "outlook")!["status"]!.GetValue<string>());

        // Consent again: the interview reaches Google at the next reconcile.
        host.Google.GrantRevoked = false;
        await host.ConnectAsync(alice, "google");
        await host.ReconcileAsync();
        Assert.Single(host.Google.LiveEvents);
    }

    [Theory]
    [InlineData("google")]
    [InlineData("outlook")]
    public async Task A_429_waits_for_its_retry_after_and_the_reconcile_timer_retries(string provider)
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, provider);
        host.Fake(provider).ThrottleNextCallFor = 120;
        await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        var connection = Assert.Single(await host.ConnectionsAsync(alice))!;
        Assert.Equal(1, connection["pendingSyncs"]!.GetValue<int>());
        Assert.Contains("429", connection["lastError"]!.GetValue<string>(), StringComparison.Ordinal);

        var calls = host.Fake(provider).Requests.Count;
        host.Factory.Clock.Advance(TimeSpan.FromSeconds(60));
        await host.ReconcileAsync();
        Assert.Equal(calls, host.Fake(provider).Requests.Count); // Retry-After not yet passed: not a single call

        host.Factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await host.ReconcileAsync();
        Assert.Single(provider == "google" ? host.Google.LiveEvents : host.Microsoft.LiveEvents);
        connection = Assert.Single(await host.ConnectionsAsync(alice))!;
        Assert.Equal(0, connection["pendingSyncs"]!.GetValue<int>());
        Assert.Null(connection["lastError"]);
    }

    [Fact]
    public async Task Calendars_and_events_are_isolated_between_users()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await bob.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        Assert.Empty(host.Google.LiveEvents); // Bob has no calendar; Alice's never gets his interview

        var (aliceInterview, _, _) = await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        Assert.Single(host.Google.LiveEvents);
        await (await bob.GetPathAsync($"/api/interviews/{aliceInterview}/calendar.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await bob.DeleteAsync("/api/calendar/connections/google", TestContext.Current.CancellationToken)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Disconnecting_with_removeEvents_deletes_the_events_it_created()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "outlook");
        await alice.ScheduleAsync(host.Factory);
        await alice.ScheduleAsync(host.Factory, 4);
        await host.PumpAsync();
        Assert.Equal(2, host.Microsoft.LiveEvents.Count);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/calendar/connections/outlook?removeEvents=true", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Empty(host.Microsoft.LiveEvents);
        Assert.Empty(await host.ConnectionsAsync(alice));
    }

    /// <summary>
    /// Not an assertion on time (the machine is shared): measures, with LocalHost's own timers running on
    /// their real schedule (event pump every 2 s), how long after the API answered a schedule the event is in
    /// both fake calendars, and prints the p50/p95.
    /// </summary>
    [Fact]
    public async Task Sync_latency_is_measured_with_the_timers_running()
    {
        using var host = new CalendarTestHost(extraSettings: new Dictionary<string, string?> { ["LocalHost:RunTimers"] = "true", ["LocalHost:RunQueues"] = "true" });
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        var samples = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var (id, _, _) = await alice.ScheduleAsync(host.Factory, 3 + i);
            var watch = Stopwatch.StartNew();
            var eventId = GoogleCalendarClient.EventId(Guid.Parse(id));
            while (host.Google.Event(eventId) is null || host.Microsoft.LiveEvents.Count < i + 1)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "The event did not reach both calendars within 30 s.");
                await Task.Delay(25, TestContext.Current.CancellationToken);
            }

            samples.Add(watch.Elapsed.TotalSeconds);
            await Task.Delay(Random.Shared.Next(0, 2000), TestContext.Current.CancellationToken);
        }

        samples.Sort();
        var p50 = samples[(int)Math.Ceiling(0.50 * samples.Count) - 1];
        var p95 = samples[(int)Math.Ceiling(0.95 * samples.Count) - 1];
        var line = FormattableString.Invariant($"Calendar sync latency (write → both calendars, {samples.Count} samples): p50 {p50:F2} s, p95 {p95:F2} s, max {samples[^1]:F2} s");
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "interviews-calendar-sync-latency.txt"), line + Environment.NewLine, TestContext.Current.CancellationToken);
    }

    /// <summary>The real store, except that chosen writes of calendar links throw, as a process dying between the provider's answer and the store's would.</summary>
    private sealed class CrashingContainer(IDocumentContainer inner) : IDocumentContainer
    {
        public int FailNextLinkWrites { get; set; }

        public Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
        {
            if (writes.Any(w => w.DocumentKind == CalendarStore.LinkKind))
            {
                if (FailNextLinkWrites > 0)
                {
                    FailNextLinkWrites--;
                    throw new IOException("Simulated crash before the link was stored.");
                }
            }

            return inner.WriteAsync(partitionKey, writes, cancellationToken);
        }

        public Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) => inner.ReadAsync(partitionKey, id, cancellationToken);

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QuerySummariesAsync(query, cancellationToken);

        public Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken) => inner.ReadFeedAsync(continuation, maxItems, cancellationToken);

        public Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken) => inner.ReadPartitionAsync(partitionKey, afterId, limit, cancellationToken);

        public Task ProbeAsync(CancellationToken cancellationToken) => inner.ProbeAsync(cancellationToken);
    }
}
