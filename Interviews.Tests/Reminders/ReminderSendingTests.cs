using System.Net;
using Interviews.Functions.Queues;
using Interviews.Functions.Reminders;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Interviews.Tests.Reminders;

/// <summary>
/// The reminder timer only queues what is due, one message per reminder; the queue function claims and
/// sends each over a small pool of SMTP connections. Crashes are played by an e-mail sender that stops
/// the sending invocation (its cancellation) before or after the SMTP server took the message.
/// </summary>
public sealed class ReminderSendingTests : ReminderScenario
{
    private static readonly DateTimeOffset InterviewAt = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    private readonly CrashingEmailSender _crashing = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected override object? InitialSettings => new { nudgesEnabled = false, reminderMinutesBefore = new[] { 60 } };

    protected override IReadOnlyDictionary<string, string?> MoreSettings => new Dictionary<string, string?> { ["Email:MaxConnections"] = "2" };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IEmailSender>(sp => _crashing.Around(ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp)));

    private ReminderStore Store => Factory.Services.GetRequiredService<ReminderStore>();

    private EmbeddedWorkQueue Queue => Factory.Services.GetRequiredService<EmbeddedWorkQueue>();

    private async Task ScheduleAsync(DateTimeOffset at)
    {
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/interviews", ApiClient.ScheduleRequest(at).ToJsonString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<(string Hour, string Id)> OnlyPendingAsync(DateTimeOffset dueAt)
    {
        var hour = ReminderStore.Hour(dueAt);
        return (hour, Assert.Single(await Store.PendingAsync(hour, Token)).Id);
    }

    /// <summary>Schedules an interview at <see cref="InterviewAt"/>, plans it, and moves the clock to its reminder <paramref name="minutesBefore"/>.</summary>
    private async Task<(string Hour, string Id)> OneReminderDueNowAsync(int minutesBefore)
    {
        await ScheduleAsync(InterviewAt);
        await PumpAndSendAsync();
        Factory.Clock.SetUtcNow(InterviewAt.AddMinutes(-minutesBefore));
        return await OnlyPendingAsync(InterviewAt.AddMinutes(-minutesBefore));
    }

    private Task RequeueAsync(string hour, string id) =>
        Queue.SendAsync(ReminderSendingFunctions.Queue, ReminderSendingFunctions.Serialize(new DueReminder(hour, id)), Token);

    /// <summary>The queue function's invocation for the reminder, stopped as a dying host stops it.</summary>
    private async Task CrashWhileSendingAsync(string hour, string id, bool afterTheServerTookIt)
    {
        using var invocation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        _crashing.CrashNextSend(invocation, afterTheServerTookIt);
        var function = ActivatorUtilities.CreateInstance<ReminderSendingFunctions>(Factory.Services);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => function.Send(ReminderSendingFunctions.Serialize(new DueReminder(hour, id)), invocation.Token));
    }

    [Fact]
    public async Task The_timer_queues_one_message_per_due_reminder_and_the_queue_function_sends_them()
    {
        for (var i = 0; i < 5; i++)
        {
            await ScheduleAsync(InterviewAt.AddMinutes(i * 10));
        }

        await PumpAndSendAsync();
        Factory.Clock.SetUtcNow(InterviewAt.AddMinutes(-60 + 40));
        await Factory.RunTimerOnlyAsync("SendReminders");

        Assert.Equal(5, await Queue.CountAsync(ReminderSendingFunctions.Queue, Token));
        Assert.Empty(Smtp.Messages);
        await Factory.DrainQueuesAsync();
        Assert.Equal(5, Smtp.Messages.Count);
        Assert.Equal(0, await Queue.CountAsync(ReminderSendingFunctions.Queue, Token));

        // The next minute queues nothing new and sends nothing more.
        Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await PumpAndSendAsync();
        Assert.Equal(5, Smtp.Messages.Count);
    }

    [Fact]
    public async Task A_reminder_planned_for_now_just_after_a_timer_run_goes_out_at_the_next_run()
    {
        // The timer runs at 12:30 (its horizon 12:31); at 12:30:10 an interview is scheduled for 13:20, so
        // its reminder an hour before has passed and is planned for "now", behind the next run's window.
        var run = InterviewAt.AddMinutes(-90);
        Factory.Clock.SetUtcNow(run);
        await PumpAndSendAsync();
        Factory.Clock.SetUtcNow(run.AddSeconds(10));
        await ScheduleAsync(InterviewAt.AddMinutes(-40));
        await Factory.RunTimerAsync("EventPump");

        Factory.Clock.SetUtcNow(run.AddMinutes(1));
        await Factory.RunTimerAsync("SendReminders");
        Assert.Single(Smtp.Messages);

        // Sent once: later runs queue nothing more for it.
        Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await PumpAndSendAsync();
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task A_burst_goes_out_side_by_side_over_no_more_smtp_connections_than_the_pool_holds()
    {
        const int Burst = 24;
        for (var i = 0; i < Burst; i++)
        {
            await ScheduleAsync(InterviewAt.AddMinutes(i));
        }

        await PumpAndSendAsync();
        await RunAtAsync(InterviewAt.AddMinutes(-60 + Burst));

        Assert.Equal(Burst, Smtp.Messages.Count);
        Assert.Equal(Burst, Smtp.Messages.Select(m => m.MessageId).Distinct().Count());
        // Email:MaxConnections = 2: never more open at once, and each one carried many messages.
        Assert.InRange(Smtp.PeakOpenConnections, 1, 2);
        Assert.InRange(Smtp.Connections, 1, 2);
    }

    [Fact]
    public async Task A_message_delivered_again_for_a_reminder_already_sent_sends_nothing()
    {
        var (hour, id) = await OneReminderDueNowAsync(60);
        await PumpAndSendAsync();
        Assert.Single(Smtp.Messages);

        await RequeueAsync(hour, id);
        await RequeueAsync(hour, id);
        await Factory.DrainQueuesAsync();

        Assert.Single(Smtp.Messages);
        Assert.Equal(ReminderStatus.Sent, (await Store.GetAsync(hour, id, Token))!.Value.Reminder.Status);
    }

    [Fact]
    public async Task A_reminder_3_minutes_before_that_was_being_sent_when_the_process_died_still_goes_out_before_the_interview()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { nudgesEnabled = false, reminderMinutesBefore = new[] { 3 } })).StatusCode);
        var (hour, id) = await OneReminderDueNowAsync(3);

        // The process dies while the e-mail is on its way, before the server took it: the claim stays in Sending.
        await CrashWhileSendingAsync(hour, id, afterTheServerTookIt: false);
        var (claimed, _) = (await Store.GetAsync(hour, id, Token))!.Value;
        Assert.Equal(ReminderStatus.Sending, claimed.Status);
        Assert.Empty(Smtp.Messages);

        // Its lease ends 2 minutes before the start, not 5 minutes after the claim (that was after the start: the reminder was dropped).
        Assert.Equal(InterviewAt.AddMinutes(-2), claimed.SendAfter);
        Factory.Clock.SetUtcNow(InterviewAt.AddMinutes(-2).AddSeconds(-1));
        await RequeueAsync(hour, id);
        await PumpAndSendAsync();
        Assert.Empty(Smtp.Messages);

        await RunAtAsync(InterviewAt.AddMinutes(-2));
        var message = Assert.Single(Smtp.Messages);
        Assert.True(message.Date < InterviewAt);
        Assert.StartsWith("Reminder: Video interview in 2 minutes", message.Subject, StringComparison.Ordinal);
        Assert.Equal(ReminderStatus.Sent, (await Store.GetAsync(hour, id, Token))!.Value.Reminder.Status);
    }

    [Fact]
    public async Task A_reminder_sent_again_after_a_crash_carries_the_same_message_id()
    {
        var (hour, id) = await OneReminderDueNowAsync(60);

        // The process dies after the SMTP server took the message, before the Sent mark: the one duplicate a crash may cost.
        await CrashWhileSendingAsync(hour, id, afterTheServerTookIt: true);
        Assert.Single(Smtp.Messages);
        await RunAtAsync(InterviewAt.AddMinutes(-60) + ReminderSender.MaxLease);

        Assert.Equal(2, Smtp.Messages.Count);
        Assert.All(Smtp.Messages, m => Assert.Equal($"reminder-{id}@interviews.test", m.MessageId));

        await RunAtAsync(InterviewAt.AddMinutes(-30));
        Assert.Equal(2, Smtp.Messages.Count);
    }

    [Fact]
    public async Task A_message_that_never_finished_puts_its_reminder_back_for_a_retry_and_it_goes_out_then()
    {
        var (hour, id) = await OneReminderDueNowAsync(60);

        // As the host does after too many dequeues: the message moves to the poison queue.
        await Queue.SendAsync(ReminderSendingFunctions.Queue + WorkQueues.PoisonSuffix, ReminderSendingFunctions.Serialize(new DueReminder(hour, id)), Token);
        await Factory.DrainQueuesAsync();
        var (parked, _) = (await Store.GetAsync(hour, id, Token))!.Value;
        Assert.Equal(ReminderStatus.Due, parked.Status);
        Assert.Equal(InterviewAt.AddMinutes(-60) + ReminderSender.FirstRetryDelay, parked.SendAfter);
        Assert.Empty(Smtp.Messages);

        await RunAtAsync(InterviewAt.AddMinutes(-59));
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public void A_claim_before_an_interview_ends_two_minutes_before_it_starts_within_one_and_five_minutes()
    {
        var interview = new InterviewBuilder().ScheduledFor(InterviewAt).Build();
        Assert.Equal(TimeSpan.FromMinutes(5), ReminderSender.LeaseFor(ReminderKind.Before, interview, InterviewAt.AddMinutes(-60)));
        Assert.Equal(TimeSpan.FromMinutes(1), ReminderSender.LeaseFor(ReminderKind.Before, interview, InterviewAt.AddMinutes(-3)));
        Assert.Equal(TimeSpan.FromMinutes(1), ReminderSender.LeaseFor(ReminderKind.Before, interview, InterviewAt.AddSeconds(-30)));
        Assert.Equal(TimeSpan.FromMinutes(5), ReminderSender.LeaseFor(ReminderKind.ThankYouNudge, interview, InterviewAt.AddHours(25)));
    }

    /// <summary>
    /// Sends through the real pool, except that the next send can play the process dying: the sending
    /// invocation is cancelled (as when its host stops) before or after the server took the message.
    /// </summary>
    private sealed class CrashingEmailSender : IEmailSender
    {
        private IEmailSender? _inner;
        private (CancellationTokenSource Invocation, bool AfterAccept)? _crash;

        public IEmailSender Around(IEmailSender inner)
        {
            _inner = inner;
            return this;
        }

        public void CrashNextSend(CancellationTokenSource invocation, bool afterTheServerTookIt) => _crash = (invocation, afterTheServerTookIt);

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            if (_crash is not var (invocation, afterAccept))
            {
                await _inner!.SendAsync(message, cancellationToken);
                return;
            }

            _crash = null;
            if (afterAccept)
            {
                await _inner!.SendAsync(message, cancellationToken);
            }

            await invocation.CancelAsync();
            invocation.Token.ThrowIfCancellationRequested();
        }
    }
}
