using Interviews.Functions.Operations;
using System.Net;
using System.Net.Http.Json;
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
        using var factory = LocalHostFactory.WithSettings(CosmosSettings(client, databaseName));
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

    [Fact]
    public async Task In_benchmark_mode_each_response_tells_the_request_units_its_request_spent()
    {
        var client = server.RequireClient();
        var databaseName = $"localhost-{Guid.NewGuid():N}";
        var settings = CosmosSettings(client, databaseName);
        settings[Interviews.LocalHost.RequestChargeHeader.Setting] = "true";
        using var factory = LocalHostFactory.WithSettings(settings);
        var user = LocalHostFactory.NewUser();
        using var http = factory.ClientFor(user);
        Assert.Equal(HttpStatusCode.OK, (await http.GetPathAsync("/api/health")).StatusCode);

        var (id, _, _) = await http.ScheduleAsync(factory);

        var list = await http.GetPathAsync("/api/interviews");
        var get = await http.GetPathAsync($"/api/interviews/{id}");
        var missing = await http.GetPathAsync($"/api/interviews/{Guid.NewGuid()}");

        // The compat server charges 1 RU a call: a list page is one query; a get of an open interview a
        // point read, the conflicts query and the suggested questions' query; a miss the point read alone.
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(id, (await list.JsonAsync())["items"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(1.0, Charge(list));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(3.0, Charge(get));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(1.0, Charge(missing));
    }

    [Fact]
    public async Task Without_benchmark_mode_responses_carry_no_request_charge()
    {
        using var factory = new LocalHostFactory();
        using var http = factory.ClientFor(LocalHostFactory.NewUser());
        var response = await http.GetPathAsync("/api/interviews");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains(Interviews.LocalHost.RequestChargeHeader.Header));
    }

    /// <summary>LocalHost's settings for the compat server, a database of its own, created at start.</summary>
    private static Dictionary<string, string?> CosmosSettings(CosmosClient client, string databaseName) => new()
    {
        ["Cosmos:ConnectionString"] = $"AccountEndpoint={client.Endpoint};AccountKey={CosmosCompatServer.Key};",
        ["Cosmos:ConnectionMode"] = "Gateway",
        ["Cosmos:DatabaseName"] = databaseName,
        ["Cosmos:CreateIfNotExists"] = "true",
        ["Cosmos:MaxRetryAttemptsOnRateLimitedRequests"] = "0",
    };

    private static double Charge(HttpResponseMessage response) =>
        double.Parse(response.Headers.GetValues(Interviews.LocalHost.RequestChargeHeader.Header).Single(), System.Globalization.CultureInfo.InvariantCulture);
}
