using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Interviews.Tests.WorkerHost.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.WorkerHost;

/// <summary>
/// Runs the built Functions app (<c>Interviews.Functions.dll</c> in its own output folder, beside its
/// <c>functions.metadata</c> and <c>worker.config.json</c>) the way the Functions host does: as its own
/// process, started with the host's command line (host address, worker id, request id, message size) and
/// environment (the app settings, <c>FUNCTIONS_APPLICATION_DIRECTORY</c>…), speaking the host side of
/// <c>FunctionRpc.EventStream</c> over gRPC (HTTP/2 cleartext on 127.0.0.1): start stream, worker init,
/// function metadata, function load, invocations and logs. HTTP triggers are served by
/// <see cref="HttpTriggerForwarder"/>; timer triggers are invoked by <see cref="InvokeTimerAsync"/>,
/// queue triggers by <see cref="InvokeQueueAsync"/> and <see cref="DrainQueuesAsync"/>.
/// </summary>
public sealed class FunctionsWorkerHost : IAsyncDisposable
{
    /// <summary>The protocol's default maximum message size, as the Functions host passes it.</summary>
    public const int MaxMessageLength = int.MaxValue;

    private readonly WorkerConnection _connection;
    private readonly WebApplication _grpc;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly ConcurrentQueue<string> _hostLog = new();
    // Fires when the worker process exits, so that a wait on the protocol ends with it (never disposed: the
    // process may exit after the host is disposed, and a token source without a timer holds nothing).
    private readonly CancellationTokenSource _exited = new();
    private HttpTriggerForwarder? _http;
    private IReadOnlyList<WorkerFunction> _functions = [];

    private FunctionsWorkerHost(WorkerConnection connection, WebApplication grpc, Process process, ConcurrentQueue<string> output)
    {
        _connection = connection;
        _grpc = grpc;
        _process = process;
        _output = output;
    }

    /// <summary>The built worker's folder, recorded by the test project's build (it builds Interviews.Functions).</summary>
    public static string BuiltWorkerDirectory { get; } =
        typeof(FunctionsWorkerHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "FunctionsWorkerDirectory")?.Value
        ?? throw new InvalidOperationException("The test assembly does not record the Functions worker's output folder (see Interviews.Tests.csproj).");

    /// <summary>Where the front end serves the HTTP functions (http://127.0.0.1:port/).</summary>
    public Uri BaseAddress => _http?.BaseAddress ?? throw new InvalidOperationException("The worker has no HTTP functions.");

    /// <summary>The URI the worker announced for HTTP requests (its <c>HttpUri</c> capability).</summary>
    public Uri WorkerHttpUri { get; private set; } = null!;

    /// <summary>The capabilities the worker announced in its init response.</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>The functions the worker indexed and loaded, by name.</summary>
    public IReadOnlyList<string> FunctionNames => [.. _functions.Select(f => f.Name)];

    /// <summary>From the process start to the last function loaded.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>
    /// For failure messages: the worker's console output, its logs over the protocol, and the host's own notes
    /// (timed) — each in its own order, one after the other, not interleaved.
    /// </summary>
    public string Diagnostics =>
        string.Join('\n', _output.Select(l => "[worker] " + l)
            .Concat(_connection.Logs.Select(l => $"[rpc {l.Level} {l.Category}] {l.Message}{(l.Exception is { } e ? " | " + e.Message : "")}"))
            .Concat(_hostLog.Select(l => "[host] " + l)));

    /// <summary>The worker's logs as it sent them over the protocol.</summary>
    internal IReadOnlyList<RpcLog> Logs => _connection.Logs;

    /// <summary>
    /// Starts the worker in <paramref name="workingDirectory"/> with <paramref name="settings"/> as app
    /// settings (environment variables, <c>:</c> written <c>__</c>) and waits until every function is
    /// loaded. A worker that exits first throws <see cref="WorkerExitedException"/> with its exit code and output.
    /// </summary>
    public static async Task<FunctionsWorkerHost> StartAsync(IReadOnlyDictionary<string, string?> settings, string workingDirectory, string? appDirectory = null, TimeSpan? timeout = null)
    {
        appDirectory ??= BuiltWorkerDirectory;
        var connection = new WorkerConnection();
        var grpc = await StartGrpcServerAsync(connection);
        var hostUri = new Uri(grpc.Urls.Single());
        var workerId = Guid.NewGuid().ToString();
        var clock = Stopwatch.StartNew();
        var output = new ConcurrentQueue<string>();
        var process = StartProcess(appDirectory, workingDirectory, hostUri, workerId, settings, output);
        var host = new FunctionsWorkerHost(connection, grpc, process, output);
        process.Exited += (_, _) =>
        {
            host.Note($"The worker process exited with code {process.ExitCode}.");
            host._exited.Cancel();
        };
        if (process.HasExited)
        {
            host._exited.Cancel();
        }

        try
        {
            await host.HandshakeAsync(appDirectory, workerId).WaitAsync(timeout ?? TimeSpan.FromSeconds(90));
            host.StartupTime = clock.Elapsed;
            return host;
        }
        catch (Exception failure)
        {
            var exited = process.HasExited;
            if (exited)
            {
                await process.WaitForExitAsync(); // the rest of its output
            }

            var exitCode = exited ? process.ExitCode : 0;
            var diagnostics = host.Diagnostics;
            await host.DisposeAsync();
            throw exited
                ? new WorkerExitedException(exitCode, string.Join('\n', output), failure)
                : new InvalidOperationException($"The worker did not start: {failure.Message}\n{diagnostics}", failure);
        }
    }

    /// <summary>A client of the front end.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>
    /// Invokes a timer function as the host's timer does: the trigger's <c>TimerInfo</c> as JSON (schedule
    /// status, past due) and the <c>TimerTrigger</c> binding data. Throws with the worker's exception if the invocation failed.
    /// </summary>
    public async Task InvokeTimerAsync(string functionName, bool isPastDue = false, CancellationToken cancellationToken = default)
    {
        var function = _functions.SingleOrDefault(f => f.Name == functionName && f.IsTimer)
            ?? throw new ArgumentException($"The worker has no timer function {functionName}.", nameof(functionName));
        var now = DateTimeOffset.UtcNow;
        var timer = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = new JsonObject { ["Last"] = Instant(now.AddMinutes(-1)), ["Next"] = Instant(now.AddMinutes(1)), ["LastUpdated"] = Instant(now) },
            ["IsPastDue"] = isPastDue,
        };
        var invocationId = Guid.NewGuid().ToString();
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = HttpTriggerForwarder.TraceParent(null) },
        };
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Json = timer.ToJsonString() } });
        request.TriggerMetadata["TimerTrigger"] = new TypedData { String = now.LocalDateTime.ToString(CultureInfo.InvariantCulture) };
        var answer = await _connection.RequestAsync(new StreamingMessage { InvocationRequest = request }, WorkerConnection.InvocationCorrelation(invocationId)).WaitAsync(cancellationToken);
        var result = answer.InvocationResponse.Result;
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"Timer function {functionName} failed: {result.Exception?.Message}\n{result.Exception?.StackTrace}");
        }
    }

    /// <summary>The queues the worker's queue triggers read.</summary>
    public IReadOnlyList<string> QueueNames => [.. _functions.Where(f => f.IsQueue).Select(f => f.QueueName!)];

    /// <summary>
    /// Invokes a queue function as the host's queue listener does: the message text as the trigger's
    /// input and the message's binding data (id, pop receipt, dequeue count, times). False, with the
    /// worker's error, when the function threw (the host then leaves the message for its retry).
    /// </summary>
    public async Task<(bool Succeeded, string? Error)> InvokeQueueAsync(string queueName, Azure.Storage.Queues.Models.QueueMessage message, CancellationToken cancellationToken = default)
    {
        var function = _functions.SingleOrDefault(f => f.IsQueue && f.QueueName == queueName)
            ?? throw new ArgumentException($"The worker has no queue function for queue {queueName}.", nameof(queueName));
        var invocationId = Guid.NewGuid().ToString();
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = HttpTriggerForwarder.TraceParent(null) },
        };
        var text = message.Body.ToString();
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { String = text } });
        request.TriggerMetadata["QueueTrigger"] = new TypedData { String = text };
        request.TriggerMetadata["Id"] = new TypedData { String = message.MessageId };
        request.TriggerMetadata["PopReceipt"] = new TypedData { String = message.PopReceipt };
        request.TriggerMetadata["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(CultureInfo.InvariantCulture) };
        request.TriggerMetadata["InsertionTime"] = new TypedData { Json = $"\"{Instant(message.InsertedOn ?? DateTimeOffset.UtcNow)}\"" };
        request.TriggerMetadata["ExpirationTime"] = new TypedData { Json = $"\"{Instant(message.ExpiresOn ?? DateTimeOffset.MaxValue)}\"" };
        request.TriggerMetadata["NextVisibleTime"] = new TypedData { Json = $"\"{Instant(message.NextVisibleOn ?? DateTimeOffset.UtcNow)}\"" };
        var answer = await _connection.RequestAsync(new StreamingMessage { InvocationRequest = request }, WorkerConnection.InvocationCorrelation(invocationId)).WaitAsync(cancellationToken);
        var result = answer.InvocationResponse.Result;
        return result.Status == StatusResult.Types.Status.Success ? (true, null) : (false, result.Exception?.Message);
    }

    /// <summary>
    /// Runs the worker's queue functions on the messages of <paramref name="queues"/> as the host's
    /// listeners would, until no visible message is left: a message is deleted when its function
    /// succeeded; after a failure it becomes visible again at once, and after
    /// <paramref name="maxDequeueCount"/> dequeues it moves to <c>{queue}-poison</c>. Returns how many invocations ran.
    /// </summary>
    public async Task<int> DrainQueuesAsync(Azure.Storage.Queues.QueueServiceClient queues, int maxDequeueCount = 5, CancellationToken cancellationToken = default)
    {
        var invoked = 0;
        for (var round = 0; round < 200; round++)
        {
            var before = invoked;
            foreach (var name in QueueNames)
            {
                var queue = queues.GetQueueClient(name);
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                Azure.Storage.Queues.Models.QueueMessage[] batch;
                while ((batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(1), cancellationToken)).Value).Length > 0)
                {
                    await Task.WhenAll(batch.Select(async message =>
                    {
                        var (succeeded, _) = await InvokeQueueAsync(name, message, cancellationToken);
                        if (succeeded)
                        {
                            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                        }
                        else if (message.DequeueCount >= maxDequeueCount)
                        {
                            var poison = queues.GetQueueClient(name + "-poison");
                            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                            await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                        }
                        else
                        {
                            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken);
                        }
                    }));
                    invoked += batch.Length;
                }
            }

            if (invoked == before)
            {
                return invoked;
            }
        }

        throw new InvalidOperationException("The queues kept filling while they were drained.");
    }

    private void Note(string text) => _hostLog.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");

    private static string Instant(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    private async Task HandshakeAsync(string appDirectory, string workerId)
    {
        var started = await _connection.Started.WaitAsync(_exited.Token);
        if (started.WorkerId != workerId)
        {
            throw new InvalidOperationException($"The worker started its stream as {started.WorkerId}, not as the worker id it was given ({workerId}).");
        }

        var init = new WorkerInitRequest { HostVersion = "4.1037.0 (Interviews test host)", WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory };
        var initialized = (await _connection.RequestAsync(new StreamingMessage { WorkerInitRequest = init }, "init").WaitAsync(_exited.Token)).WorkerInitResponse;
        EnsureSucceeded(initialized.Result, "worker init");
        Capabilities = initialized.Capabilities.ToDictionary(c => c.Key, c => c.Value);
        if (!Capabilities.TryGetValue("HttpUri", out var httpUri) || !Uri.TryCreate(httpUri, UriKind.Absolute, out var workerHttpUri))
        {
            throw new InvalidOperationException("The worker did not announce the HttpUri capability of the ASP.NET Core integration.");
        }

        WorkerHttpUri = workerHttpUri;
        var metadata = (await _connection.RequestAsync(
            new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } }, "metadata").WaitAsync(_exited.Token)).FunctionMetadataResponse;
        EnsureSucceeded(metadata.Result, "function metadata");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked the host to index its functions; this host only takes the worker's own metadata.");
        }

        _functions = [.. metadata.FunctionMetadataResults.Select(WorkerFunction.From)];
        var loads = _functions.Select(f => _connection.RequestAsync(
            new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = f.FunctionId, Metadata = f.Metadata } },
            WorkerConnection.LoadCorrelation(f.FunctionId)));
        foreach (var loaded in await Task.WhenAll(loads).WaitAsync(_exited.Token))
        {
            EnsureSucceeded(loaded.FunctionLoadResponse.Result, $"loading function {loaded.FunctionLoadResponse.FunctionId}");
        }

        _http = await HttpTriggerForwarder.StartAsync(_functions, RoutePrefix(appDirectory), _connection, WorkerHttpUri, Note);
    }

    private static void EnsureSucceeded(StatusResult result, string step)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {step}: {result.Exception?.Message ?? result.Result}");
        }
    }

    /// <summary><c>extensions.http.routePrefix</c> of the app's host.json; "api" when it says nothing.</summary>
    private static string RoutePrefix(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        var prefix = File.Exists(path)
            ? JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>()
            : null;
        return prefix ?? "api";
    }

    private static async Task<WebApplication> StartGrpcServerAsync(WorkerConnection connection)
    {
        var builder = Support.Loopback.WebApplication(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(connection);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync();
        return app;
    }

    private static Process StartProcess(string appDirectory, string workingDirectory, Uri hostUri, string workerId, IReadOnlyDictionary<string, string?> settings, ConcurrentQueue<string> output)
    {
        var requestId = Guid.NewGuid().ToString();
        var length = MaxMessageLength.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The Functions host's command line: the older names, then the "functions-" ones workers are advised to read.
        string[] arguments =
        [
            Path.Combine(appDirectory, "Interviews.Functions.dll"),
            "--host", hostUri.Host, "--port", hostUri.Port.ToString(CultureInfo.InvariantCulture), "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", length,
            "--functions-uri", hostUri.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId, "--functions-grpc-max-message-length", length,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test process's own hosting variables are not the app's.
        foreach (var inherited in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_STARTUP_HOOKS" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > WorkerConnection.MaxLogs && output.TryDequeue(out _))
        {
        }
    }

    /// <summary>Asks the worker to stop (as the host does on shutdown), then ends its process tree if it has not.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited && _connection.Started.IsCompletedSuccessfully && !_connection.Closed.IsCompleted)
        {
            _connection.Post(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        if (_http is not null)
        {
            await _http.DisposeAsync();
        }

        await _grpc.StopAsync();
        await _grpc.DisposeAsync();
        _process.Dispose();
    }
}

/// <summary>The worker process exited before it was ready; <see cref="Output"/> is what it printed.</summary>
public sealed class WorkerExitedException(int exitCode, string output, Exception? inner = null)
    : Exception($"The worker exited with code {exitCode} before it was ready:\n{output}", inner)
{
    public int ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}
