using System.Net;
using Interviews.Functions.Storage;
using Interviews.LocalHost;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interviews.Tests.Hardening;

/// <summary>Regular tests for what the hardening suites found, one per finding.</summary>
public sealed class RegressionTests
{
    /// <summary>Reads of the user's notification settings fail while <see cref="Failing"/> is set; everything else reaches the real store.</summary>
    private sealed class SettingsReadsFail(IDocumentContainer inner) : IDocumentContainer
    {
        public bool Failing { get; set; }

        public Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) =>
            Failing && !Guid.TryParse(id, out _) ? throw new StoreUnavailableException("throttled", TimeSpan.FromSeconds(1)) : inner.ReadAsync(partitionKey, id, cancellationToken);

        public Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken) => inner.WriteAsync(partitionKey, writes, cancellationToken);

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QuerySummariesAsync(query, cancellationToken);

        public Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken) => inner.ReadFeedAsync(continuation, maxItems, cancellationToken);

        public Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken) => inner.ReadPartitionAsync(partitionKey, afterId, limit, cancellationToken);

        public Task ProbeAsync(CancellationToken cancellationToken) => inner.ProbeAsync(cancellationToken);
    }

    [Fact]
    public async Task A_schedule_answered_503_created_nothing_so_its_retry_creates_exactly_one_interview()
    {
        SettingsReadsFail? store = null;
        using var factory = LocalHostFactory.WithSettings(new Dictionary<string, string?>(), services => services.Replace(ServiceDescriptor.Singleton<IDocumentContainer>(
            sp => store = new SettingsReadsFail(sp.GetRequiredService<SqliteDocumentContainer>()))));
        var user = LocalHostFactory.NewUser();
        var client = factory.ClientFor(user, "retry@example.com");
        var body = ApiClient.ScheduleRequest(factory.Clock.GetUtcNow().AddDays(2)).ToJsonString();
        Assert.Equal(HttpStatusCode.OK, (await client.GetPathAsync("/api/interviews")).StatusCode);

        store!.Failing = true;
        var failed = await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", body);
        await failed.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(failed.Headers.RetryAfter);

        store.Failing = false;
        Assert.Equal(HttpStatusCode.Created, (await client.SendJsonAsync(HttpMethod.Post, "/api/interviews", body)).StatusCode);
        var page = await (await client.GetPathAsync("/api/interviews")).JsonAsync();
        Assert.Single(page["items"]!.AsArray());
        Assert.Equal("retry@example.com", (await (await client.GetPathAsync("/api/me/notification-settings")).JsonAsync())["email"]!.GetValue<string>());
        _ = DevelopmentTokens.UserIdOf(user);
    }

    /// <summary>Every write reports the store unavailable.</summary>
    private sealed class WritesUnavailable(IDocumentContainer inner) : IDocumentContainer
    {
        public Task<StoredDocument?> ReadAsync(string partitionKey, string id, CancellationToken cancellationToken) => inner.ReadAsync(partitionKey, id, cancellationToken);

        public Task<WriteOutcome> WriteAsync(string partitionKey, IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken) =>
            throw new StoreUnavailableException("every write is unavailable in this test");

        public Task<DocumentPage> QueryAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

        public Task<SummaryPage> QuerySummariesAsync(DocumentQuery query, CancellationToken cancellationToken) => inner.QuerySummariesAsync(query, cancellationToken);

        public Task<FeedPage> ReadFeedAsync(string? continuation, int maxItems, CancellationToken cancellationToken) => inner.ReadFeedAsync(continuation, maxItems, cancellationToken);

        public Task<DocumentPage> ReadPartitionAsync(string partitionKey, string? afterId, int limit, CancellationToken cancellationToken) => inner.ReadPartitionAsync(partitionKey, afterId, limit, cancellationToken);

        public Task ProbeAsync(CancellationToken cancellationToken) => inner.ProbeAsync(cancellationToken);
    }

    [Fact]
    public async Task Saving_notification_settings_on_an_unavailable_store_is_a_503_store_unavailable_not_a_settings_changed()
    {
        using var factory = LocalHostFactory.WithSettings(new Dictionary<string, string?>(), services => services.Replace(ServiceDescriptor.Singleton<IDocumentContainer>(
            sp => new WritesUnavailable(sp.GetRequiredService<SqliteDocumentContainer>()))));
        var client = factory.ClientFor(LocalHostFactory.NewUser());
        var response = await client.SendJsonAsync(HttpMethod.Put, "/api/me/notification-settings", new { nudgesEnabled = false });
        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("store-unavailable", problem["code"]!.GetValue<string>());
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
