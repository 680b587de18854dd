using System.Text.Json;
using Azure.Storage.Queues;
using Interviews.Functions.Events;
using Interviews.Functions.Queues;
using Interviews.Tests.Support;

namespace Interviews.Tests.Queues;

/// <summary>The production work queue on Azure Storage Queues, against Azurite: what the Functions host's queue listener reads.</summary>
public sealed class StorageWorkQueueTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_arrive_base64_encoded_as_the_host_reads_them_and_a_delay_keeps_them_invisible()
    {
        await using var azurite = await Azurite.StartAsync();
        var service = new QueueServiceClient(azurite.ConnectionString, StorageWorkQueue.ClientOptions());
        var queue = new StorageWorkQueue(service);
        var text = """{"event":{"userId":"Zoë Müller 李雷"},"attempt":1}""";
        await queue.SendAsync("events-calendar", [text, "second"], TimeSpan.Zero, Token);
        await queue.SendAsync("events-calendar", "later", TimeSpan.FromMinutes(5), Token);

        // The host decodes base64 (its default messageEncoding); the raw queue holds base64.
        var raw = new QueueClient(azurite.ConnectionString, "events-calendar");
        var peeked = (await raw.PeekMessagesAsync(10, Token)).Value;
        Assert.Equal(
            new[] { text, "second" }.Order(StringComparer.Ordinal),
            peeked.Select(m => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).Order(StringComparer.Ordinal));

        var received = (await service.GetQueueClient("events-calendar").ReceiveMessagesAsync(10, TimeSpan.FromSeconds(30), Token)).Value;
        Assert.Equal(new[] { text, "second" }.Order(StringComparer.Ordinal), received.Select(m => m.Body.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await raw.GetPropertiesAsync(Token)).Value.ApproximateMessagesCount);
    }

    [Fact]
    public void An_event_too_big_for_a_queue_message_travels_as_a_reference_to_the_outbox()
    {
        var small = new DeliveredEvent(Guid.NewGuid(), "InterviewPrepared", Guid.NewGuid(), Guid.NewGuid(), DateTimeOffset.UnixEpoch, JsonSerializer.SerializeToElement(new { notes = "short" }));
        var big = small with { Data = JsonSerializer.SerializeToElement(new { notes = new string('x', WorkQueues.MaxMessageBytes) }) };

        var smallQueued = QueuedEvent.Parse(QueuedEvent.Serialize(small, 1));
        Assert.False(smallQueued.DataInOutbox);
        Assert.Equal("short", smallQueued.Event.Data.GetProperty("notes").GetString());

        var bigText = QueuedEvent.Serialize(big, 2);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(bigText) <= WorkQueues.MaxMessageBytes);
        var bigQueued = QueuedEvent.Parse(bigText);
        Assert.True(bigQueued.DataInOutbox);
        Assert.Equal((big.EventId, big.UserId, 2), (bigQueued.Event.EventId, bigQueued.Event.UserId, bigQueued.Attempt));
    }

    [Fact]
    public async Task A_queue_that_could_not_be_created_for_a_moment_is_created_on_the_next_send()
    {
        using var server = Loopback.WireMock();
        var available = false;
        server.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod().WithPath(new WireMock.Matchers.WildcardMatcher("/*")))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithCallback(request =>
            {
                if (!available)
                {
                    return new WireMock.ResponseMessage { StatusCode = 503 };
                }

                if (request.Method == "PUT")
                {
                    return new WireMock.ResponseMessage { StatusCode = 201 };
                }

                const string Time = "Thu, 03 Dec 2026 09:00:00 GMT";
                var body = $"<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage><MessageId>{Guid.NewGuid()}</MessageId><InsertionTime>{Time}</InsertionTime><ExpirationTime>{Time}</ExpirationTime><PopReceipt>receipt</PopReceipt><TimeNextVisible>{Time}</TimeNextVisible></QueueMessage></QueueMessagesList>";
                return new WireMock.ResponseMessage
                {
                    StatusCode = 201,
                    Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/xml") },
                    BodyData = new WireMock.Util.BodyData { BodyAsString = body, DetectedBodyType = WireMock.Types.BodyType.String },
                };
            }));
        var options = StorageWorkQueue.ClientOptions();
        options.Retry.MaxRetries = 0;
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Azurite.AccountKey};QueueEndpoint={server.Url}/devstoreaccount1;";
        var queue = new StorageWorkQueue(new QueueServiceClient(connection, options));

        await Assert.ThrowsAsync<Interviews.Functions.Storage.StoreUnavailableException>(() => queue.SendAsync("events-calendar", "first", Token));
        available = true;
        await queue.SendAsync("events-calendar", "second", Token);
        Assert.Contains(server.LogEntries, e => e.RequestMessage.Method == "PUT" && e.ResponseMessage.StatusCode is 201);
        Assert.Contains(server.LogEntries, e => e.RequestMessage.Method == "POST" && e.ResponseMessage.StatusCode is 201);
    }
}
