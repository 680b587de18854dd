using System.Globalization;
using Interviews.Functions.Events;
using Interviews.Functions.Queues;
using Interviews.Functions.Reminders;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Interviews.Tests.Calendar;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Events;

/// <summary>
/// The queues promise neither order nor a single delivery: every real handler (calendar sync, reminder
/// planning, insights) works from the interview's current state and version, so events delivered
/// backwards and twice leave what in-order delivery leaves.
/// </summary>
public sealed class OutOfOrderDeliveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_delivered_backwards_and_twice_leave_the_calendars_the_reminder_plan_and_the_insights_as_in_order_delivery_does()
    {
        using var host = new CalendarTestHost();
        var factory = host.Factory;
        var aliceUser = LocalHostFactory.NewUser();
        var bobUser = LocalHostFactory.NewUser();
        using var alice = factory.ClientFor(aliceUser, "alice@example.com");
        using var bob = factory.ClientFor(bobUser, "bob@example.com");
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        var movedTo = factory.Clock.GetUtcNow().AddDays(9).ToString("O", CultureInfo.InvariantCulture);

        // Bob, the control, gets his events in order; Alice the same changes, delivered backwards then again.
        var bobId = await ChangesAsync(bob, factory, movedTo);
        await factory.RunTimerAsync("EventPump");
        var aliceId = await ChangesAsync(alice, factory, movedTo);
        var aliceEvents = await OutboxAsync(factory, DevelopmentTokens.UserIdOf(aliceUser));
        Assert.Equal(3, aliceEvents.Count);
        var queue = factory.Services.GetRequiredService<IWorkQueue>();
        foreach (var handler in new[] { "calendar", "reminders", "insights" })
        {
            var messages = aliceEvents.AsEnumerable().Reverse().Concat(aliceEvents).Select(e => QueuedEvent.Serialize(e, 1)).ToList();
            await queue.SendAsync(EventQueues.Prefix + handler, messages, TimeSpan.Zero, Token);
        }

        await factory.DrainQueuesAsync();

        // The calendars: one event each, created once, at the moved time.
        var google = Assert.Single(host.Google.LiveEvents);
        Assert.Equal(1, host.Google.Inserts);
        Assert.Single(host.Microsoft.LiveEvents);
        Assert.Equal(1, host.Microsoft.Posts);
        Assert.Equal(DateTimeOffset.Parse(movedTo, CultureInfo.InvariantCulture), DateTimeOffset.Parse(google["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture));

        // The reminder plan and the insights: what Bob's in-order delivery made.
        var reminders = factory.Services.GetRequiredService<ReminderStore>();
        var alicePlan = (await reminders.GetPlanAsync(DevelopmentTokens.UserIdOf(aliceUser), Guid.Parse(aliceId), Token)).Plan.Entries.Select(e => e.DueAt).Order();
        var bobPlan = (await reminders.GetPlanAsync(DevelopmentTokens.UserIdOf(bobUser), Guid.Parse(bobId), Token)).Plan.Entries.Select(e => e.DueAt).Order();
        Assert.NotEmpty(bobPlan);
        Assert.Equal(bobPlan, alicePlan);
        var aliceInsights = await (await alice.GetPathAsync("/api/interviews/insights")).JsonAsync();
        var bobInsights = await (await bob.GetPathAsync("/api/interviews/insights")).JsonAsync();
        Assert.Equal(bobInsights.ToJsonString(), aliceInsights.ToJsonString());

        // And the pump's own in-order delivery of Alice's events afterwards changes nothing either.
        await factory.RunTimerAsync("EventPump");
        Assert.Single(host.Google.LiveEvents);
        Assert.Equal(1, host.Google.Inserts);
        Assert.Equal(1, host.Microsoft.Posts);
        Assert.Equal(bobInsights.ToJsonString(), (await (await alice.GetPathAsync("/api/interviews/insights")).JsonAsync()).ToJsonString());
    }

    private static async Task<string> ChangesAsync(HttpClient client, LocalHostFactory factory, string movedTo)
    {
        var (id, _, _) = await client.ScheduleAsync(factory, 5);
        Assert.True((await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { researchCompleted = true })).IsSuccessStatusCode);
        Assert.True((await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/reschedule", new { newDateTime = movedTo, initiatedBy = "Company" })).IsSuccessStatusCode);
        return id;
    }

    /// <summary>The user's events in the outbox, in the order they were written.</summary>
    private static async Task<List<DeliveredEvent>> OutboxAsync(LocalHostFactory factory, Guid userId)
    {
        var page = await factory.Services.GetRequiredService<IDocumentContainer>().ReadFeedAsync(null, 1000, Token);
        return [.. page.Items.Where(d => d.Kind == EventDocument.Kind).Select(DeliveredEvent.From).Where(e => e.UserId == userId)];
    }
}
