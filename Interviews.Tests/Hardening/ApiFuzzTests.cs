using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.LocalHost;
using Interviews.Tests.Support;

namespace Interviews.Tests.Hardening;

/// <summary>
/// API fuzzing through LocalHost: requests generated from the OpenAPI document for every operation and
/// mutated, sent by a few clients at once over keep-alive. Whatever comes in: no 5xx, every error is
/// problem+json with its status and a trace id, a rejected write leaves the caller's documents as they
/// were, and another user's data never shows in an answer.
/// </summary>
public sealed class ApiFuzzTests
{
    /// <summary>Spread through every text field of the other user's data; it must never come back to the fuzzing users.</summary>
    private const string Marker = "OTHERUSERMARKER3b9d";

    private const int Clients = 4;

    /// <summary>20,000 by default; <c>HARDENING_FUZZ_REQUESTS</c> runs more (or fewer while iterating).</summary>
    private static int Requests =>
        int.TryParse(Environment.GetEnvironmentVariable("HARDENING_FUZZ_REQUESTS"), out var n) && n > 0 ? n : 20_000;

    /// <summary>Fixed, so that a finding reproduces; <c>HARDENING_FUZZ_SEED</c> explores further.</summary>
    private static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("HARDENING_FUZZ_SEED"), out var n) ? n : 9_000;

    [Fact]
    public async Task Generated_and_mutated_requests_to_every_operation_get_no_5xx_only_problem_errors_no_change_when_rejected_and_no_other_users_data()
    {
        using var factory = new LocalHostFactory();
        var probe = new StoreProbe(factory.DatabasePath);
        var operations = ApiOperation.All;
        var cancellation = TestContext.Current.CancellationToken;

        // The other user: every text field carries the marker.
        var victimName = LocalHostFactory.NewUser();
        var victim = factory.ClientFor(victimName, $"{Marker.ToLowerInvariant()}@example.com");
        var victimIds = await SeedAsync(factory, victim, Marker);
        Assert.Equal(HttpStatusCode.OK, (await victim.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { email = $"{Marker}@example.com", timezone = "Europe/Paris" })).StatusCode);

        // The fuzzing users, one per client so that each client's before/after reads see only its own writes.
        var users = Enumerable.Range(0, Clients).Select(_ => LocalHostFactory.NewUser()).ToList();
        var clients = users.Select(u => factory.ClientFor(u, "fuzzer@example.com")).ToList();
        var targets = new List<FuzzTargets>();
        foreach (var client in clients)
        {
            var t = new FuzzTargets();
            t.OwnIds.AddRange(await SeedAsync(factory, client, "fuzz"));
            t.OtherUsersIds.AddRange(victimIds);
            targets.Add(t);
        }

        factory.Clock.Advance(TimeSpan.FromHours(2));
        foreach (var (client, t) in clients.Zip(targets))
        {
            var completed = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{t.OwnIds[0]}/complete", new { performanceRating = 4 });
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        var victimCompleted = await victim.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{victimIds[0]}/complete", new { performanceRating = 2, interviewNotes = Marker, nextSteps = Marker });
        Assert.Equal(HttpStatusCode.OK, victimCompleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await victim.SendJsonAsync(HttpMethod.Post, $"/api/interviews/{victimIds[0]}/thank-you", new { recipients = new[] { $"{Marker}@example.com" }, method = "Email", notes = Marker })).StatusCode);
        var victimBefore = await probe.DocumentsAsync(DevelopmentTokens.UserIdOf(victimName));

        var tally = new FuzzTally();
        var failures = new ConcurrentQueue<string>();
        var failureKinds = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var rejectedWritesChecked = 0;
        var contractChecked = 0;
        var rejectedByKestrel = 0;
        var watch = Stopwatch.StartNew();

        void Fail(string kind, FuzzRequest request, int status, string body)
        {
            failureKinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
            if (failures.Count < 40)
            {
                failures.Enqueue($"{kind}: {status} for {request}\n   → {(body.Length > 400 ? body[..400] + "…" : body)}");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            var random = new Random(Seed + c);
            var fuzzer = new RequestFuzzer(new SchemaSampler(random, factory.Clock.GetUtcNow));
            var client = clients[c];
            var userId = DevelopmentTokens.UserIdOf(users[c]);
            var t = targets[c];
            for (var i = 0; i < Requests / Clients; i++)
            {
                var operation = operations[random.Next(operations.Count)];
                var request = fuzzer.Next(operation, t);
                var before = operation.IsWrite ? await probe.DigestAsync(userId) : default;
                HttpResponseMessage response;
                try
                {
                    using var message = request.ToMessage();
                    response = await client.SendAsync(message, cancellation);
                }
                catch (HttpRequestException exception)
                {
                    Fail("connection failed", request, 0, exception.Message);
                    continue;
                }

                using (response)
                {
                    var status = (int)response.StatusCode;
                    var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(cancellation));
                    tally.Add(operation, status);
                    if (IsRejectedByKestrel(response, status, body))
                    {
                        Interlocked.Increment(ref rejectedByKestrel);
                        continue;
                    }

                    Check(request, response, status, body, victimIds, Fail);

                    if (status >= 400 && operation.IsWrite)
                    {
                        Interlocked.Increment(ref rejectedWritesChecked);
                        if (await probe.DigestAsync(userId) != before)
                        {
                            Fail("rejected write changed the store", request, status, body);
                        }
                    }

                    if (i % 5 == 0 && OpenApiContract.Instance.Template(response.RequestMessage!.RequestUri!.AbsolutePath[OpenApiContract.Instance.ServerPrefix.Length..]) is not null)
                    {
                        Interlocked.Increment(ref contractChecked);
                        try
                        {
                            await OpenApiContract.Instance.AssertConformsAsync(response);
                        }
                        catch (Exception exception) when (exception is Xunit.Sdk.XunitException)
                        {
                            Fail("answer not in the contract", request, status, exception.Message);
                        }
                    }

                    Harvest(response, status, body, t);
                }
            }
        }, cancellation)));

        watch.Stop();
        var victimAfter = await probe.DocumentsAsync(DevelopmentTokens.UserIdOf(victimName));
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"API fuzzing (seed {Seed}): {tally.Total:N0} requests over {operations.Count} operations from {Clients} clients in {watch.Elapsed.TotalSeconds:N1} s; " +
            $"{rejectedWritesChecked:N0} rejected writes checked against the store, {contractChecked:N0} answers checked against the contract, " +
            $"{rejectedByKestrel:N0} refused by Kestrel before the app (a NUL in the path, a request line over 8 KB).");
        output?.WriteLine(tally.Describe());
        output?.WriteLine(failureKinds.IsEmpty ? "Findings: none." : $"Findings: {string.Join(", ", failureKinds.Select(f => $"{f.Key} ×{f.Value}"))}");

        Assert.True(failureKinds.IsEmpty, $"{failureKinds.Values.Sum()} findings ({string.Join(", ", failureKinds.Select(f => $"{f.Key} ×{f.Value}"))}):\n{string.Join("\n", failures)}");
        Assert.Equal(victimBefore, victimAfter);
        Assert.True(tally.Total >= Requests - Clients, $"Only {tally.Total} requests were answered.");
        // Every operation was reached, and the fuzzer got past validation often enough to matter.
        Assert.Equal(operations.Count, tally.ByOperation.Count);
        Assert.True(tally.ByStatus.Where(s => s.Key.StartsWith('2')).Sum(s => s.Value) > tally.Total / 20, tally.Describe());
    }

    /// <summary>
    /// Kestrel's own answers to a request it will not hand to the app: a target it cannot decode (a NUL
    /// in the path, 400) or a request line over its 8 KB limit (414). They have no body and close the
    /// connection; no application code runs, so nothing can be changed or leaked. The Functions host's
    /// front end has the same kind of limits.
    /// </summary>
    private static bool IsRejectedByKestrel(HttpResponseMessage response, int status, string body)
    {
        if (body.Length != 0 || response.Headers.ConnectionClose != true)
        {
            return false;
        }

        var url = response.RequestMessage!.RequestUri!.OriginalString;
        return (status == 400 && url.Contains("%00", StringComparison.Ordinal))
            || (status == 414 && url.Length > 8 * 1024 - 100);
    }

    private static void Check(FuzzRequest request, HttpResponseMessage response, int status, string body, IReadOnlyList<string> otherUsersIds, Action<string, FuzzRequest, int, string> fail)
    {
        if (status >= 500)
        {
            fail($"{status}", request, status, body);
        }

        if (body.Contains(Marker, StringComparison.OrdinalIgnoreCase))
        {
            fail("another user's data in the answer", request, status, body);
        }

        if (status < 400)
        {
            if (otherUsersIds.Any(id => body.Contains(id, StringComparison.OrdinalIgnoreCase)))
            {
                fail("another user's id in a success", request, status, body);
            }

            return;
        }

        if (!MediaTypes.IsProblem(response.Content.Headers.ContentType))
        {
            fail("error without problem+json", request, status, body);
            return;
        }

        try
        {
            var problem = JsonNode.Parse(body)!.AsObject();
            if (problem["status"]?.GetValue<int>() != status || string.IsNullOrEmpty(problem["traceId"]?.GetValue<string>()))
            {
                fail("problem without its status or trace id", request, status, body);
            }

            if (body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal))
            {
                fail("problem with exception details", request, status, body);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            fail("problem that is not JSON", request, status, body);
        }
    }

    /// <summary>Keeps what the answers give: ids of created resources, ETags, cursors.</summary>
    private static void Harvest(HttpResponseMessage response, int status, string body, FuzzTargets targets)
    {
        if (status >= 300)
        {
            return;
        }

        if (response.Headers.ETag is { } etag && targets.ETags.Count < 500)
        {
            targets.ETags.Add(etag.ToString());
        }

        if (body.Length == 0 || body[0] != '{')
        {
            return;
        }

        var json = JsonNode.Parse(body)!.AsObject();
        if (status == 201 && json["id"]?.GetValue<string>() is { } id && targets.OwnIds.Count < 200)
        {
            targets.OwnIds.Add(id);
        }

        if (json["nextCursor"]?.GetValue<string>() is { } cursor && targets.Cursors.Count < 100)
        {
            targets.Cursors.Add(cursor);
        }
    }

    /// <summary>Three interviews in a user's partition, the first an hour ahead (completed once the clock moves), text fields carrying <paramref name="text"/>.</summary>
    private static async Task<List<string>> SeedAsync(LocalHostFactory factory, HttpClient client, string text)
    {
        var ids = new List<string>();
        foreach (var hours in new[] { 1.0, 30, 24 * 20 })
        {
            var (id, _, _) = await client.ScheduleAsync(factory, hours / 24,
                ("location", $"Room {text}"), ("interviewers", new JsonArray($"Interviewer {text}", text)));
            ids.Add(id);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{ids[1]}/prepare", new { preparationNotes = $"Notes {text}", researchCompleted = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{ids[2]}/reschedule", new { newDateTime = factory.Clock.GetUtcNow().AddDays(21), reason = $"Reason {text}", initiatedBy = "Company" })).StatusCode);
        return ids;
    }
}
