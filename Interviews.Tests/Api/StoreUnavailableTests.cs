using Interviews.Functions.Interviews;
using Interviews.Functions.Hosting;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Interviews.Tests.Api;

/// <summary>A store that is throttled or down: 503 problem+json with Retry-After, from both hosts, for reads and writes.</summary>
public sealed class StoreUnavailableTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unavailable_store_is_a_503_with_retry_after()
    {
        var context = NewContext();
        await Problems.WriteUnavailableAsync(context, null);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(Problems.ContentType, context.Response.ContentType);
    }

    [Fact]
    public async Task LocalHost_maps_an_unavailable_store_to_503_with_the_stores_retry_after()
    {
        var middleware = new LocalExceptionMiddleware(
            _ => throw new StoreUnavailableException("throttled", TimeSpan.FromMilliseconds(2200)),
            NullLogger<LocalExceptionMiddleware>.Instance);
        var context = NewContext();
        await middleware.InvokeAsync(context);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("3", context.Response.Headers.RetryAfter.ToString());
        Assert.Contains("store-unavailable", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_functions_host_maps_an_unavailable_store_to_503_with_retry_after()
    {
        var http = NewContext();
        var function = new Mock<FunctionContext>();
        function.Setup(f => f.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        function.Setup(f => f.FunctionDefinition.Name).Returns("GetInterview");
        var middleware = new FunctionsExceptionMiddleware(NullLogger<FunctionsExceptionMiddleware>.Instance);

        await middleware.Invoke(function.Object, _ => throw new StoreUnavailableException());

        Assert.Equal(503, http.Response.StatusCode);
        Assert.Equal("5", http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_command_whose_save_is_unavailable_fails_as_unavailable_without_retrying()
    {
        using var folder = new TestFolder();
        var path = folder.Database();
        try
        {
            var sqlite = new SqliteDocumentContainer(path, InterviewStore.Indexes, TimeProvider.System);
            var interview = new InterviewBuilder().Build();
            Assert.True((await InterviewStores.Over(sqlite, new StorageSettings()).CreateAsync(interview, Token)).Saved);
            var unavailable = new UnavailableWrites(sqlite);
            var store = InterviewStores.Over(unavailable, new StorageSettings());
            var commands = new InterviewCommands(
                store,
                new ConflictFinder(store, new InterviewFeatureSettings()),
                new DebriefQuestions(store),
                new FakeTimeProvider(InterviewBuilder.ScheduledOn.AddHours(1)),
                NullLogger<InterviewCommands>.Instance);

            await Assert.ThrowsAsync<StoreUnavailableException>(() => commands.RunAsync(interview.UserId, interview.Id, IfMatch.None, (i, now) => i.Cancel(now), Token));

            Assert.Equal(1, unavailable.Writes);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    private static DefaultHttpContext NewContext() => new() { Response = { Body = new MemoryStream() } };

    private static string Body(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }

    /// <summary>Reads from a real store; every write reports the backend unavailable.</summary>
    private sealed class UnavailableWrites(IDocumentContainer inner) : IDocumentContainer
    {
        public int Writes { get; private set; }

        public Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) => inner.ReadAsync(partitionKey, id, cancellationToken);

        public Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
        {
            Writes++;
            throw new StoreUnavailableException("unavailable for the test");
        }

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QuerySummariesAsync(query, cancellationToken);

        public Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken) => inner.ReadFeedAsync(continuation, maxItems, cancellationToken);

        public Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken) => inner.ReadPartitionAsync(partitionKey, afterId, limit, cancellationToken);

        public Task ProbeAsync(CancellationToken cancellationToken) => inner.ProbeAsync(cancellationToken);
    }
}
