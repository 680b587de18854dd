using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Interviews.Tests.Support;
using Interviews.Tests.WorkerHost;

namespace Interviews.Tests.EndToEnd;

/// <summary>What only the deployed worker has: the protocol's handshake, its settings' stores and its telemetry.</summary>
[Collection(FunctionsWorkerCollection.Name)]
public sealed class FunctionsWorkerTests(FunctionsWorkerApi worker)
{
    [Fact]
    public void The_worker_announces_HTTP_proxying_and_loads_every_function_of_its_functions_metadata()
    {
        worker.Require();
        var host = worker.Host;
        Assert.True(host.WorkerHttpUri.IsLoopback, host.WorkerHttpUri.ToString());
        Assert.Equal("True", host.Capabilities["WorkerOpenTelemetryEnabled"]);
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionsWorkerHost.BuiltWorkerDirectory, "functions.metadata")))!.AsArray();
        Assert.Equal(metadata.Select(f => f!["name"]!.GetValue<string>()).Order(), host.FunctionNames.Order());
        Assert.Contains("EventPump", host.FunctionNames);
    }

    [Fact]
    public async Task The_worker_keeps_its_Data_Protection_key_ring_in_the_configured_blob()
    {
        worker.Require();
        using var client = worker.ClientFor(TestUser.New());
        Assert.Equal(HttpStatusCode.OK, (await client.SendJsonAsync(HttpMethod.Post, "/api/calendar/connections/google", null)).StatusCode);

        var blob = new BlobContainerClient(worker.Storage.ConnectionString, "dataprotection").GetBlobClient("keys.xml");
        var ring = (await blob.DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToString();
        Assert.Contains("<key ", ring, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_exports_its_function_spans_in_the_callers_trace_and_its_own_metrics()
    {
        worker.Require();
        using var client = worker.ClientFor(TestUser.New());
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/interviews");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var traceId = Convert.FromHexString(trace.ToHexString());
        Assert.True(
            await worker.Telemetry.ReceivedAsync("traces", TimeSpan.FromSeconds(15), traceId, Encoding.UTF8.GetBytes("ListInterviews")),
            $"No exported span of ListInterviews in trace {trace}; received {worker.Telemetry.Summary}.");
        Assert.True(
            await worker.Telemetry.ReceivedAsync("metrics", TimeSpan.FromSeconds(15), Encoding.UTF8.GetBytes("interviews.cosmos.request_charge")),
            $"No exported interviews.cosmos.request_charge metric; received {worker.Telemetry.Summary}.");
    }

    [Fact]
    public void Every_queue_trigger_reads_the_work_queues_connection_and_has_a_poison_function()
    {
        worker.Require();
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionsWorkerHost.BuiltWorkerDirectory, "functions.metadata")))!.AsArray();
        var triggers = metadata
            .SelectMany(f => f!["bindings"]!.AsArray())
            .Where(b => b!["type"]!.GetValue<string>().Equals("queueTrigger", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.NotEmpty(triggers);
        Assert.All(triggers, t => Assert.Equal("WorkQueues", t!["connection"]!.GetValue<string>()));
        var queues = worker.Host.QueueNames.ToHashSet(StringComparer.Ordinal);
        Assert.All(queues.Where(q => !q.EndsWith("-poison", StringComparison.Ordinal)), q => Assert.Contains(q + "-poison", queues));
    }

    [Fact]
    public async Task A_queued_event_the_worker_cannot_handle_is_parked_as_a_dead_letter_and_leaves_the_queue()
    {
        worker.Require();
        var queues = worker.WorkQueues;
        var eventId = Guid.NewGuid();
        // Data that is not an InterviewScheduled: the delivery fails on its last attempt and parks it.
        var queued = new JsonObject
        {
            ["event"] = new JsonObject
            {
                ["eventId"] = eventId, ["type"] = "InterviewScheduled", ["interviewId"] = Guid.NewGuid(), ["userId"] = Guid.NewGuid(),
                ["occurredAt"] = DateTimeOffset.UtcNow, ["data"] = "not an event",
            },
            ["attempt"] = 5,
            ["dataInOutbox"] = false,
        };
        var client = queues.GetQueueClient("events-insights");
        await client.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await client.SendMessageAsync(queued.ToJsonString(), TestContext.Current.CancellationToken);
        await worker.Host.DrainQueuesAsync(queues, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, (await client.GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
        var letters = await worker.DeadLetters.ListAsync(100, TestContext.Current.CancellationToken);
        var (_, letter) = Assert.Single(letters, l => l.Letter.EventId == eventId);
        Assert.Equal(("insights", 5), (letter.Handler, letter.Attempts));
    }
}
