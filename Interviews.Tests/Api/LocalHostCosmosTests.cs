using System.Net;
using System.Net.Http.Json;
using Interviews.Functions.Api;
using Interviews.Functions.Storage;
using Interviews.Tests.CosmosCompat;
using Interviews.Tests.Support;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Api;

/// <summary>LocalHost given Cosmos DB settings: it selects Cosmos DB, creates the database and containers, and its health check reaches them.</summary>
public sealed class LocalHostCosmosTests(CosmosCompatFixture server) : IClassFixture<CosmosCompatFixture>
{
    [Fact]
    public async Task With_cosmos_settings_LocalHost_creates_the_containers_and_reports_the_store_reachable()
    {
        var client = server.RequireClient();
        var databaseName = $"localhost-{Guid.NewGuid():N}";
        using var factory = LocalHostFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Cosmos:ConnectionString"] = $"AccountEndpoint={client.Endpoint};AccountKey={CosmosCompatServer.Key};",
            ["Cosmos:ConnectionMode"] = "Gateway",
            ["Cosmos:DatabaseName"] = databaseName,
            ["Cosmos:CreateIfNotExists"] = "true",
            ["Cosmos:MaxRetryAttemptsOnRateLimitedRequests"] = "0",
        });
        using var http = factory.ClientFor(null);

        var response = await http.GetAsync("/api/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Reachable", (await response.Content.ReadFromJsonAsync<HealthResponse>(TestContext.Current.CancellationToken))!.Store);
        Assert.IsType<CosmosDocumentContainer>(factory.Services.GetRequiredService<IDocumentContainer>());
        var database = client.GetDatabase(databaseName);
        foreach (var name in new[] { CosmosContainerDefinitions.DocumentsContainer, CosmosContainerDefinitions.LeasesContainer })
        {
            ContainerProperties properties = await database.GetContainer(name).ReadContainerAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(name, properties.Id);
        }
    }
}
