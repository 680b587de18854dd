using Interviews.Tests.CosmosCompat;
using Interviews.Tests.WorkerHost;

namespace Interviews.Tests.EndToEnd;

/// <summary>
/// The deployed worker refuses to start on settings that would make it unsafe or broken: the process exits
/// with a non-zero code and its output names the setting. Each test starts the real worker with the
/// production settings (pointing nowhere: it must fail before it connects to anything) and one change.
/// </summary>
public sealed class WorkerStartupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("worker-startup-").FullName;

    private Dictionary<string, string?> Valid() => new()
    {
        ["Cosmos:ConnectionString"] = $"AccountEndpoint=https://127.0.0.1:9/;AccountKey={CosmosCompatServer.Key};",
        ["Cosmos:DatabaseName"] = "never-created",
        ["Auth:Authority"] = "https://127.0.0.1:9/tenant/v2.0",
        ["Auth:Audience"] = "api://interviews-tests",
        ["Storage:SqlitePath"] = Path.Combine(_directory, "never-used.db"),
        ["WorkQueues"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;",
    };

    [Fact]
    public async Task Without_work_queue_settings_the_worker_exits_naming_them()
    {
        var settings = Valid();
        settings.Remove("WorkQueues");
        var exited = await StartExpectingExitAsync(settings);
        Assert.Contains("WorkQueues", exited.Output, StringComparison.Ordinal);
        Assert.Contains("queueServiceUri", exited.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Cosmos_DB_settings_the_worker_exits_naming_them()
    {
        var settings = Valid();
        settings.Remove("Cosmos:ConnectionString");
        var exited = await StartExpectingExitAsync(settings);
        Assert.Contains("Cosmos:ConnectionString", exited.Output, StringComparison.Ordinal);
        Assert.Contains("Cosmos:AccountEndpoint", exited.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_development_signing_key_in_the_deployed_apps_settings_fails_start_up()
    {
        var settings = Valid();
        settings["Auth:Development:SigningKey"] = "interviews-localhost-development-signing-key-not-a-secret";
        var exited = await StartExpectingExitAsync(settings);
        Assert.Contains("Auth:Development:SigningKey", exited.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auth:Authority", "http://login.example/tenant/v2.0", "Auth:Authority")]
    [InlineData("Auth:Audience", "", "Auth:Audience")]
    [InlineData("Auth:ClockSkew", "01:00:00", "Auth:ClockSkew")]
    [InlineData("Storage:EventTimeToLive", "soon", "EventTimeToLive")]
    [InlineData("Events:MaxAttempts", "0", "Events:MaxAttempts")]
    [InlineData("WorkQueues:queueServiceUri", "http://queues.example", "WorkQueues:queueServiceUri")]
    [InlineData("Calendar:ProviderTimeout", "00:00:00.1", "Calendar:ProviderTimeout")]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", "not-a-connection-string", "APPLICATIONINSIGHTS_CONNECTION_STRING")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317", "OTEL_EXPORTER_OTLP_ENDPOINT")]
    public async Task A_bad_setting_fails_start_up_with_the_setting_named(string setting, string value, string named)
    {
        var settings = Valid();
        settings[setting] = value;
        var exited = await StartExpectingExitAsync(settings);
        Assert.Contains(named, exited.Output, StringComparison.Ordinal);
    }

    private async Task<WorkerExitedException> StartExpectingExitAsync(Dictionary<string, string?> settings)
    {
        var exited = await Assert.ThrowsAsync<WorkerExitedException>(async () =>
        {
            await using var host = await FunctionsWorkerHost.StartAsync(settings, _directory);
        });
        Assert.NotEqual(0, exited.ExitCode);
        return exited;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
