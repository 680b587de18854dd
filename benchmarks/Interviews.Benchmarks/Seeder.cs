using Interviews.Functions.Events;
using Interviews.Functions.Interviews;
using System.Text;
using Interviews.Domain;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;

namespace Interviews.Benchmarks;

/// <summary>What the benchmark needs to know about the measured user's seeded interviews.</summary>
internal sealed record SeededUser(
    Guid UserId,
    int Count,
    IReadOnlyList<Guid> SampleIds,
    IReadOnlyList<Guid> OpenFutureIds,
    byte[] FirstPageJson);

/// <summary>
/// Fills a fresh SQLite file with interviews built by the domain's own commands (schedule, then prepare,
/// reschedule, complete with notes and thank-you notes, or cancel), each the very write
/// <see cref="InterviewStore"/> makes (body and list summary), and written through the real
/// <see cref="SqliteDocumentContainer"/> in batches of one partition per call — the one shortcut is
/// batching, so that 100,000 interviews take seconds, not minutes. Outbox event documents are not
/// seeded: in production they expire after <see cref="StorageSettings.EventTimeToLive"/>, so a user's
/// partition holds interviews and only the last week's events.
/// </summary>
internal static class Seeder
{
    /// <summary>Interviews per atomic write on SQLite (Cosmos DB takes at most <see cref="CosmosDocumentContainer.MaxBatchWrites"/>).</summary>
    public const int SqliteBatchSize = 1_000;

    private static readonly string[] Zones = ["America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"];
    private static readonly string[] Names = ["Jane Smith", "John Doe", "Priya Patel", "Wei Chen", "Amara Okafor", "Lucas Martin", "Sofia Rossi", "Kenji Sato"];
    private static readonly int[] Durations = [30, 45, 60, 60, 90];

    private static readonly string Notes =
        "Discussed the team's roadmap and the on-call rotation. Asked about the migration to event sourcing, "
        + "the interviewer liked the answer about idempotent handlers. Follow up on the take-home exercise and "
        + "send the portfolio link; the recruiter mentioned a second round with the hiring manager next week.";

    /// <summary>Seeds <paramref name="count"/> interviews for <paramref name="userId"/> and <paramref name="othersEach"/> for each other user.</summary>
    public static async Task<SeededUser> SeedAsync(
        IDocumentContainer container,
        int batchSize,
        Guid userId,
        int count,
        IReadOnlyList<Guid> otherUsers,
        int othersEach,
        DateTimeOffset now,
        int seed,
        CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        foreach (var other in otherUsers)
        {
            await SeedUserAsync(container, batchSize, other, othersEach, now, random, null, cancellationToken);
        }

        var kept = new List<Interview>(count);
        await SeedUserAsync(container, batchSize, userId, count, now, random, kept, cancellationToken);

        var sample = kept.OrderBy(_ => random.Next()).Take(1_000).Select(i => i.Id).ToList();
        var openFuture = kept
            .Where(i => InterviewTransitions.IsOpen(i.Status) && i.ScheduledAt > now.AddDays(2))
            .OrderBy(_ => random.Next())
            .Take(2_000)
            .Select(i => i.Id)
            .ToList();

        return new SeededUser(userId, count, sample, openFuture, FirstPage(kept));
    }

    /// <summary>The list's first page (50 items, no filter) as the API writes it: the baseline serves these bytes.</summary>
    private static byte[] FirstPage(List<Interview> interviews)
    {
        var first = interviews
            .OrderBy(i => StorageJson.Instant(i.ScheduledAt), StringComparer.Ordinal)
            .ThenBy(i => i.Id.ToString("D"), StringComparer.Ordinal)
            .Take(InterviewsApi.DefaultPageSize + 1)
            .ToList();
        var items = first.Take(InterviewsApi.DefaultPageSize).ToList();
        var next = first.Count > items.Count
            ? new DocumentCursor(StorageJson.Instant(items[^1].ScheduledAt), items[^1].Id.ToString("D"))
            : null;
        // The summaries the store keeps, written by the list's own writer.
        var page = new System.Buffers.ArrayBufferWriter<byte>();
        ListPageResult.Write(page, [.. items.Select(i => Encoding.UTF8.GetBytes(InterviewListItem.Serialize(i)))], Cursors.Encode(next?.OrderValue, next?.Id));
        return page.WrittenSpan.ToArray();
    }

    private static async Task SeedUserAsync(
        IDocumentContainer container,
        int batchSize,
        Guid userId,
        int count,
        DateTimeOffset now,
        Random random,
        List<Interview>? kept,
        CancellationToken cancellationToken)
    {
        var applications = Enumerable.Range(0, Math.Max(1, count / 3)).Select(_ => NewGuid(random)).ToArray();
        var batch = new List<DocumentWrite>(batchSize);
        var store = new InterviewStore(container, new EventCatalog([]), new StorageSettings());
        for (var n = 0; n < count; n++)
        {
            var interview = Build(userId, applications[random.Next(applications.Length)], now, random);
            interview.ClearPendingEvents();
            kept?.Add(interview);
            batch.Add(store.WriteOf(interview, null));
            if (batch.Count == batchSize || n == count - 1)
            {
                var outcome = await container.WriteAsync(userId.ToString("D"), batch, cancellationToken);
                if (!outcome.IsSuccess)
                {
                    throw new InvalidOperationException($"Seeding failed: {outcome.Failure} at {outcome.FailedIndex}.");
                }

                batch.Clear();
            }
        }
    }

    /// <summary>
    /// One interview with a realistic spread: scheduled uniformly over the two years before and after
    /// <paramref name="now"/>; past ones mostly completed (half with notes, some with a thank-you note)
    /// or cancelled, future ones scheduled, prepared, rescheduled or cancelled.
    /// </summary>
    private static Interview Build(Guid userId, Guid applicationId, DateTimeOffset now, Random random)
    {
        var twoYears = TimeSpan.FromDays(730);
        var scheduledAt = Minute(now - twoYears + TimeSpan.FromMinutes(random.NextDouble() * 2 * twoYears.TotalMinutes));
        var past = scheduledAt < now;
        var roll = random.NextDouble();
        var status = past
            ? roll switch { < 0.65 => InterviewStatus.Completed, < 0.80 => InterviewStatus.Cancelled, < 0.90 => InterviewStatus.Rescheduled, < 0.95 => InterviewStatus.Prepared, _ => InterviewStatus.Scheduled }
            : roll switch { < 0.45 => InterviewStatus.Scheduled, < 0.70 => InterviewStatus.Prepared, < 0.85 => InterviewStatus.Rescheduled, _ => InterviewStatus.Cancelled };
        if (status == InterviewStatus.Completed && scheduledAt > now.AddHours(-5))
        {
            status = InterviewStatus.Scheduled;
        }

        // A rescheduled interview was first set three days earlier than where it ended up.
        var firstTime = status == InterviewStatus.Rescheduled ? scheduledAt.AddDays(-3) : scheduledAt;
        var createdAt = Min(firstTime - TimeSpan.FromHours(1 + (random.NextDouble() * 24 * 45)), now - TimeSpan.FromHours(random.NextDouble() * 24 * 30));

        var type = Enum.GetValues<InterviewType>()[random.Next(6)];
        var interviewers = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => (string?)Names[random.Next(Names.Length)]).Distinct().ToList();
        var location = type == InterviewType.InPerson
            ? $"{100 + random.Next(900)} Market Street, Floor {1 + random.Next(30)}"
            : $"https://zoom.us/j/{random.NextInt64(1_000_000_000, 9_999_999_999)}";
        var details = Succeeded(InterviewDetails.Create(applicationId, type.ToString(), Durations[random.Next(Durations.Length)], location, interviewers, Zones[random.Next(Zones.Length)]));
        var interview = Succeeded(Interview.Schedule(Guid.CreateVersion7(createdAt), userId, details, firstTime, createdAt));

        var at = createdAt.AddMinutes(1);
        switch (status)
        {
            case InterviewStatus.Prepared:
                Succeeded(interview.Prepare(random.NextDouble() < 0.6 ? Notes[..(80 + random.Next(200))] : null, true, random.NextDouble() < 0.7, random.NextDouble() < 0.5, at));
                break;
            case InterviewStatus.Rescheduled:
                Succeeded(interview.Reschedule(scheduledAt, "The hiring manager moved it", random.NextDouble() < 0.5 ? RescheduleInitiator.Company : RescheduleInitiator.Candidate, at));
                break;
            case InterviewStatus.Cancelled:
                Succeeded(interview.Cancel(at));
                break;
            case InterviewStatus.Completed:
                var completedAt = scheduledAt.AddMinutes(details.Duration);
                Succeeded(interview.Complete(completedAt, details.Duration, 1 + random.Next(5), random.NextDouble() < 0.5 ? Notes : null, "Wait for feedback", random.NextDouble() < 0.4, completedAt.AddMinutes(5)));
                if (random.NextDouble() < 0.3)
                {
                    Succeeded(interview.RecordThankYouNote([interviewers[0]], ThankYouMethod.Email, "Thanks for your time today.", completedAt.AddHours(2), completedAt.AddHours(3)));
                }

                break;
            case InterviewStatus.Scheduled:
                break;
            default:
                throw new InvalidOperationException($"Unexpected status {status}.");
        }

        return interview;
    }

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static T Succeeded<T>(Result<T> result) =>
        result.IsSuccess ? result.Value : throw new InvalidOperationException($"Seeding step failed: {result.Error}");

    private static void Succeeded(Result result)
    {
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"Seeding step failed: {result.Error}");
        }
    }
}
