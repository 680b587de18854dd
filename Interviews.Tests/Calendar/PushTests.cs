using System.Net;
using Interviews.Functions.Calendar;
using Interviews.Functions.Storage;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Calendar;

/// <summary>
/// Push notifications: a Google watch channel and a Graph subscription per connection, the webhooks that take
/// their notifications (each valid one asks for a sync of that connection), renewal before expiry on the
/// injected clock, stop and delete on disconnect, Graph's lifecycle events; forged and replayed notifications
/// change nothing and are answered like valid ones.
/// </summary>
public sealed class PushTests
{
    private const string GoogleWebhook = "/api/calendar/notifications/google";
    private const string GraphWebhook = "/api/calendar/notifications/microsoft";
    private const string GraphLifecycle = "/api/calendar/notifications/microsoft/lifecycle";

    [Fact]
    public async Task Connecting_google_watches_the_primary_calendar_with_a_secret_that_is_stored_only_hashed()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");

        var channel = Assert.Single(host.Google.Channels);
        Assert.Equal($"{CalendarTestHost.WebhookBase}{GoogleWebhook}", channel.Address);
        Assert.Equal(43, channel.Token!.Length);
        Assert.InRange(channel.Expiration, host.Factory.Clock.GetUtcNow().AddDays(6), host.Factory.Clock.GetUtcNow().AddDays(7));
        Assert.DoesNotContain(channel.Token, await RawDatabaseAsync(host), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_outlook_subscribes_to_the_users_events_after_the_validation_handshake()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "outlook");

        var subscription = Assert.Single(host.Microsoft.OpenSubscriptions);
        Assert.Equal("created,updated,deleted", subscription.ChangeType);
        Assert.Equal("me/events", subscription.Resource);
        Assert.Equal($"{CalendarTestHost.WebhookBase}{GraphWebhook}", subscription.NotificationUrl);
        Assert.Equal($"{CalendarTestHost.WebhookBase}{GraphLifecycle}", subscription.LifecycleNotificationUrl);
        Assert.Equal([(subscription.NotificationUrl, true), (subscription.LifecycleNotificationUrl!, true)], host.Microsoft.Validations);
        // Within Graph's 4,230 minutes for events, with room to spare.
        Assert.InRange(subscription.Expiration - host.Factory.Clock.GetUtcNow(), TimeSpan.FromHours(60), TimeSpan.FromMinutes(4230));
        Assert.DoesNotContain(subscription.ClientState!, await RawDatabaseAsync(host), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GraphWebhook)]
    [InlineData(GraphLifecycle)]
    public async Task The_graph_validation_handshake_echoes_the_token_as_plain_text(string path)
    {
        using var host = CalendarTestHost.WithPush();
        using var graph = host.Factory.ClientFor(null);
        var token = "Validation: Testing client application reachability <b>&</b>";
        var answer = await graph.PostAsync($"{path}?validationToken={Uri.EscapeDataString(token)}", new StringContent("", System.Text.Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("text/plain", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(token, await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_google_notification_syncs_that_connection_and_the_move_made_in_the_calendar_reaches_the_interview()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var google = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "google");
        var channel = Assert.Single(host.Google.Channels);
        var (id, _) = await InCalendarAsync(host, alice);

        // The handshake after the watch changes nothing.
        var handshake = await FakeGoogle.NotifyAsync(google, channel, "sync");
        await AssertAnsweredLikeGoogleWantsAsync(handshake);
        Assert.Equal(0, await host.Factory.DrainQueuesAsync());

        var newStart = host.Factory.Clock.GetUtcNow().AddDays(5).AddHours(3);
        host.Google.MoveByUser(GoogleCalendarClient.EventId(Guid.Parse(id)), newStart);
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, channel));
        Assert.True(await host.Factory.DrainQueuesAsync() >= 1);

        var moved = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal(newStart.UtcDateTime, moved["scheduledAt"]!.GetValue<DateTime>().ToUniversalTime());
        Assert.Equal("Moved in Google Calendar", Assert.Single(moved["rescheduleHistory"]!.AsArray())!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_burst_of_google_notifications_asks_for_one_sync()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var google = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "google");
        var channel = Assert.Single(host.Google.Channels);
        for (var i = 0; i < 5; i++)
        {
            await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, channel));
        }

        Assert.Equal(1, await host.Factory.DrainQueuesAsync());
    }

    [Fact]
    public async Task Forged_google_notifications_change_nothing_and_are_answered_like_a_valid_one()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var google = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "google");
        var channel = Assert.Single(host.Google.Channels);
        var (id, body) = await InCalendarAsync(host, alice);
        host.Google.MoveByUser(GoogleCalendarClient.EventId(Guid.Parse(id)), host.Factory.Clock.GetUtcNow().AddDays(6));

        var forgeries = new[]
        {
            await FakeGoogle.NotifyAsync(google, channel, token: CalendarOAuth.NewSecret()),
            await FakeGoogle.NotifyAsync(google, channel, token: channel.Token![..^1] + (channel.Token[^1] == 'A' ? 'B' : 'A')),
            await FakeGoogle.NotifyAsync(google, channel, channelId: Guid.NewGuid().ToString("N")),
            await FakeGoogle.NotifyAsync(google, channel, channelId: Guid.NewGuid().ToString("N"), token: CalendarOAuth.NewSecret()),
            await FakeGoogle.NotifyAsync(google, channel with { Token = null }),
            await FakeGoogle.NotifyAsync(google, channel, channelId: new string('x', 300)),
        };
        foreach (var answer in forgeries)
        {
            await AssertAnsweredLikeGoogleWantsAsync(answer);
        }

        Assert.Equal(0, await host.Factory.DrainQueuesAsync());
        var interview = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal(body["scheduledAt"]!.GetValue<string>(), interview["scheduledAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_replayed_google_message_number_is_ignored()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var google = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "google");
        var channel = Assert.Single(host.Google.Channels);

        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, channel, messageNumber: 5));
        Assert.Equal(1, await host.Factory.DrainQueuesAsync());
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, channel, messageNumber: 5));
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, channel, messageNumber: 3));
        Assert.Equal(0, await host.Factory.DrainQueuesAsync());
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, channel, messageNumber: 6));
        Assert.Equal(1, await host.Factory.DrainQueuesAsync());
    }

    [Theory]
    [InlineData("updated")]
    [InlineData("deleted")]
    public async Task A_graph_notification_syncs_that_connection_and_the_change_made_in_outlook_reaches_the_interview(string change)
    {
        using var host = CalendarTestHost.WithPush();
        var user = LocalHostFactory.NewUser();
        using var alice = host.Factory.ClientFor(user);
        using var graph = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "outlook");
        var subscription = Assert.Single(host.Microsoft.OpenSubscriptions);
        // A first read takes the delta cursor: Graph's first delta lists no removed events.
        var (id, _) = await InCalendarAsync(host, alice, readCursor: true);

        var eventId = host.Microsoft.LiveEvents.Single()["id"]!.GetValue<string>();
        var newStart = host.Factory.Clock.GetUtcNow().AddDays(5).AddHours(1);
        if (change == "updated")
        {
            host.Microsoft.MoveByUser(eventId, newStart);
        }
        else
        {
            host.Microsoft.DeleteByUser(eventId);
        }

        var answer = await FakeMicrosoft.NotifyAsync(graph, subscription, change);
        await AssertAnsweredLikeGraphWantsAsync(answer);
        Assert.True(await host.Factory.DrainQueuesAsync() >= 1);

        var interview = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        if (change == "updated")
        {
            Assert.Equal(newStart.UtcDateTime, interview["scheduledAt"]!.GetValue<DateTime>().ToUniversalTime());
        }
        else
        {
            // Unlinked: not cancelled, and not recreated by the next change.
            Assert.Equal("Scheduled", interview["status"]!.GetValue<string>());
            var (link, _) = await host.Factory.Services.GetRequiredService<CalendarStore>().GetLinkAsync(Interviews.LocalHost.DevelopmentTokens.UserIdOf(user), Guid.Parse(id), TestContext.Current.CancellationToken);
            Assert.Equal(LinkState.Unlinked, link.Events["outlook"].State);
        }
    }

    [Fact]
    public async Task Forged_graph_notifications_change_nothing_and_are_answered_like_a_valid_one()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var graph = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "outlook");
        var subscription = Assert.Single(host.Microsoft.OpenSubscriptions);

        var forgeries = new[]
        {
            await FakeMicrosoft.NotifyAsync(graph, subscription, clientState: CalendarOAuth.NewSecret()),
            await FakeMicrosoft.NotifyAsync(graph, subscription, subscriptionId: Guid.NewGuid().ToString("D")),
            await FakeMicrosoft.NotifyAsync(graph, subscription with { ClientState = null }),
            await FakeMicrosoft.LifecycleAsync(graph, subscription, "subscriptionRemoved", clientState: CalendarOAuth.NewSecret()),
            await graph.PostAsync(GraphWebhook, new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken),
            await graph.PostAsync(GraphWebhook, new StringContent(new string(' ', 300 * 1024) + "{}", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken),
        };
        foreach (var answer in forgeries)
        {
            await AssertAnsweredLikeGraphWantsAsync(answer);
        }

        Assert.Equal(0, await host.Factory.DrainQueuesAsync());
        Assert.Single(host.Microsoft.OpenSubscriptions);
        Assert.DoesNotContain(host.Microsoft.Requests, r => r.StartsWith("PATCH /v1.0/subscriptions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Channels_are_renewed_before_they_expire_and_not_before_the_margin()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        var channel = Assert.Single(host.Google.Channels);
        var subscription = Assert.Single(host.Microsoft.OpenSubscriptions);

        // An hour on: nothing is due.
        host.Factory.Clock.Advance(TimeSpan.FromHours(1));
        await host.RenewPushAsync();
        Assert.DoesNotContain(host.Microsoft.Requests, r => r.StartsWith("PATCH /v1.0/subscriptions", StringComparison.Ordinal));
        Assert.Equal(channel, Assert.Single(host.Google.Channels));

        // Within 12 hours of the subscription's end (70 hours): renewed with PATCH; Google's week is not due yet.
        host.Factory.Clock.Advance(TimeSpan.FromHours(58));
        await host.RenewPushAsync();
        Assert.Contains($"PATCH /v1.0/subscriptions/{subscription.Id}", host.Microsoft.Requests);
        Assert.Equal(subscription.Id, Assert.Single(host.Microsoft.OpenSubscriptions).Id);
        Assert.True(subscription.Expiration > host.Factory.Clock.GetUtcNow().AddHours(60));
        Assert.Equal(channel, Assert.Single(host.Google.Channels));

        // Within 12 hours of the channel's week: a new channel is watched and the old one stopped.
        host.Factory.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromHours(59) - TimeSpan.FromHours(11));
        await host.RenewPushAsync();
        var renewed = Assert.Single(host.Google.Channels);
        Assert.NotEqual(channel.Id, renewed.Id);
        Assert.NotEqual(channel.Token, renewed.Token);
        Assert.Equal([channel.Id], host.Google.StoppedChannels);

        // The new channel works; the old one's notifications are ignored.
        using var google = host.Factory.ClientFor(null);
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, channel));
        Assert.Equal(0, await host.Factory.DrainQueuesAsync());
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(google, renewed));
        Assert.Equal(1, await host.Factory.DrainQueuesAsync());
    }

    [Fact]
    public async Task Disconnecting_stops_the_channel_deletes_the_subscription_and_their_lookups()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var provider = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        var channel = Assert.Single(host.Google.Channels);
        var subscription = Assert.Single(host.Microsoft.OpenSubscriptions);
        Assert.Equal(2, (await PushLookupsAsync(host)).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.SendJsonAsync(HttpMethod.Delete, "/api/calendar/connections/google", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.SendJsonAsync(HttpMethod.Delete, "/api/calendar/connections/outlook", null)).StatusCode);

        Assert.Equal([channel.Id], host.Google.StoppedChannels);
        Assert.Equal([subscription.Id], host.Microsoft.DeletedSubscriptions);
        Assert.Empty(await PushLookupsAsync(host));
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(provider, channel));
        await AssertAnsweredLikeGraphWantsAsync(await FakeMicrosoft.NotifyAsync(provider, subscription));
        Assert.Equal(0, await host.Factory.DrainQueuesAsync());
    }

    [Fact]
    public async Task Every_graph_lifecycle_event_resyncs_and_a_removed_subscription_is_made_again()
    {
        using var host = CalendarTestHost.WithPush();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var graph = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "outlook");
        var subscription = Assert.Single(host.Microsoft.OpenSubscriptions);
        var (id, _) = await InCalendarAsync(host, alice, readCursor: true);

        // missed: the changes Graph could not deliver are read.
        var newStart = host.Factory.Clock.GetUtcNow().AddDays(9);
        host.Microsoft.MoveByUser(host.Microsoft.LiveEvents.Single()["id"]!.GetValue<string>(), newStart);
        await AssertAnsweredLikeGraphWantsAsync(await FakeMicrosoft.LifecycleAsync(graph, subscription, "missed"));
        Assert.True(await host.Factory.DrainQueuesAsync() >= 1);
        var moved = await (await alice.GetPathAsync($"/api/interviews/{id}")).JsonAsync();
        Assert.Equal(newStart.UtcDateTime, moved["scheduledAt"]!.GetValue<DateTime>().ToUniversalTime());
        Assert.DoesNotContain(host.Microsoft.Requests, r => r.StartsWith("PATCH /v1.0/subscriptions", StringComparison.Ordinal));

        // reauthorizationRequired: renewed (and resynced).
        await AssertAnsweredLikeGraphWantsAsync(await FakeMicrosoft.LifecycleAsync(graph, subscription, "reauthorizationRequired"));
        Assert.True(await host.Factory.DrainQueuesAsync() >= 1);
        Assert.Contains($"PATCH /v1.0/subscriptions/{subscription.Id}", host.Microsoft.Requests);
        Assert.Equal(subscription.Id, Assert.Single(host.Microsoft.OpenSubscriptions).Id);

        // subscriptionRemoved: Graph no longer knows it, so a new one is made (and resynced).
        host.Microsoft.RemoveSubscription(subscription.Id);
        await AssertAnsweredLikeGraphWantsAsync(await FakeMicrosoft.LifecycleAsync(graph, subscription, "subscriptionRemoved"));
        Assert.True(await host.Factory.DrainQueuesAsync() >= 1);
        var again = Assert.Single(host.Microsoft.OpenSubscriptions);
        Assert.NotEqual(subscription.Id, again.Id);
        Assert.NotEqual(subscription.ClientState, again.ClientState);
        Assert.Single(await PushLookupsAsync(host));
    }

    [Fact]
    public async Task Channel_secrets_never_appear_in_logs()
    {
        using var host = CalendarTestHost.WithPush(services => services.AddFakeLogging());
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var provider = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        var channel = Assert.Single(host.Google.Channels);
        var subscription = Assert.Single(host.Microsoft.OpenSubscriptions);
        await FakeGoogle.NotifyAsync(provider, channel);
        await FakeGoogle.NotifyAsync(provider, channel, token: "forged-token-value");
        await FakeMicrosoft.NotifyAsync(provider, subscription);
        await FakeMicrosoft.NotifyAsync(provider, subscription, clientState: "forged-client-state");
        await FakeMicrosoft.LifecycleAsync(provider, subscription, "reauthorizationRequired");
        await host.Factory.DrainQueuesAsync();
        host.Factory.Clock.Advance(TimeSpan.FromDays(7));
        await host.RenewPushAsync();
        await host.ReconcileAsync();

        var secrets = new[] { channel.Token!, subscription.ClientState!, "forged-token-value", "forged-client-state" }
            .Concat(host.Google.Channels.Select(c => c.Token!)).Concat(host.Microsoft.OpenSubscriptions.Select(s => s.ClientState!)).ToList();
        Assert.Equal(6, secrets.Distinct().Count());
        var records = host.Factory.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains("push channel", StringComparison.Ordinal));
        foreach (var record in records)
        {
            var text = new System.Text.StringBuilder(record.Message).Append(record.Exception).AppendJoin('|', record.StructuredState?.Select(s => s.Value) ?? []).AppendJoin('|', record.Scopes.Select(s => s?.ToString())).ToString();
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Without_a_webhook_base_url_no_channel_is_made_and_notifications_are_answered_the_same()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var provider = host.Factory.ClientFor(null);
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        Assert.Empty(host.Google.Channels);
        Assert.Empty(host.Microsoft.OpenSubscriptions);

        var channel = new FakeChannel(Guid.NewGuid().ToString("N"), CalendarOAuth.NewSecret(), $"{CalendarTestHost.WebhookBase}{GoogleWebhook}", "res", host.Factory.Clock.GetUtcNow().AddDays(1));
        await AssertAnsweredLikeGoogleWantsAsync(await FakeGoogle.NotifyAsync(provider, channel));
        var subscription = new FakeSubscription(Guid.NewGuid().ToString("D"), "updated", "me/events", $"{CalendarTestHost.WebhookBase}{GraphWebhook}", $"{CalendarTestHost.WebhookBase}{GraphLifecycle}", CalendarOAuth.NewSecret());
        await AssertAnsweredLikeGraphWantsAsync(await FakeMicrosoft.NotifyAsync(provider, subscription));
        Assert.Equal(0, await host.Factory.DrainQueuesAsync());
    }

    /// <summary>An interview of the user's, written to the connected calendars (and, with <paramref name="readCursor"/>, their changes read once).</summary>
    private static async Task<(string Id, System.Text.Json.Nodes.JsonObject Body)> InCalendarAsync(CalendarTestHost host, HttpClient user, bool readCursor = false)
    {
        var (id, _, body) = await user.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        if (readCursor)
        {
            await host.ReconcileAsync();
        }

        return (id, body);
    }

    /// <summary>Google's answer, valid or not: 200 and nothing else to read.</summary>
    private static async Task AssertAnsweredLikeGoogleWantsAsync(HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Empty(await answer.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Null(answer.Content.Headers.ContentType);
    }

    /// <summary>Graph's answer, valid or not: 202 and nothing else to read.</summary>
    private static async Task AssertAnsweredLikeGraphWantsAsync(HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Empty(await answer.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Null(answer.Content.Headers.ContentType);
    }

    private static async Task<IReadOnlyList<StoredDocument>> PushLookupsAsync(CalendarTestHost host) =>
        (await host.Factory.Services.GetRequiredService<IDocumentContainer>().ReadPartitionAsync(CalendarStore.PushPartition, null, 1000, TestContext.Current.CancellationToken)).Items;

    private static async Task<string> RawDatabaseAsync(CalendarTestHost host)
    {
        // The store's bytes as they are on disk (the write-ahead log included), read without locking it.
        var text = new System.Text.StringBuilder();
        foreach (var file in new[] { host.Factory.DatabasePath, host.Factory.DatabasePath + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            text.Append(await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
        }

        return text.ToString();
    }
}
