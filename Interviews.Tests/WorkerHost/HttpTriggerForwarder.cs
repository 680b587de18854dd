using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Interviews.Tests.WorkerHost.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Interviews.Tests.WorkerHost;

/// <summary>
/// The host's HTTP front end for a worker with the ASP.NET Core integration: each HTTP trigger's route
/// (the route prefix of host.json, then the trigger's route or the function's name) is mapped on Kestrel.
/// A matched request becomes an invocation as the Functions host makes it: an empty <c>RpcHttp</c> for the
/// trigger, the request's binding data (JSON body properties, query values, route values, <c>Query</c>,
/// <c>Headers</c>) as trigger metadata, and the request itself forwarded to the URI the worker announced
/// (its <c>HttpUri</c> capability) with the <c>x-ms-invocation-id</c> header; the worker's answer goes back
/// to the client as it is.
/// </summary>
internal sealed class HttpTriggerForwarder : IAsyncDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    // Hop-by-hop headers (RFC 9110 7.6.1) and Host are not forwarded; the forwarded-headers set says where the request came from.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
    };

    private readonly WebApplication _app;
    // As the Functions host's proxy: no redirects or cookies, and connection failures retried (the worker
    // announces its HttpUri before its HTTP server listens: hosted services start one after another).
    private readonly HttpMessageInvoker _toWorker = new(new ConnectionRetries(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false }));
    private readonly WorkerConnection _connection;
    private readonly Uri _workerUri;
    private readonly Action<string> _log;

    private HttpTriggerForwarder(WebApplication app, WorkerConnection connection, Uri workerUri, Action<string> log)
    {
        _app = app;
        _connection = connection;
        _workerUri = workerUri;
        _log = log;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Serves the HTTP functions on 127.0.0.1 and a free port.</summary>
    public static async Task<HttpTriggerForwarder> StartAsync(IEnumerable<WorkerFunction> functions, string routePrefix, WorkerConnection connection, Uri workerUri, Action<string> log)
    {
        var app = Support.Loopback.WebApplication().Build();
        var forwarder = new HttpTriggerForwarder(app, connection, workerUri, log);
        var prefix = routePrefix.Trim('/');
        foreach (var function in functions.Where(f => f.IsHttp))
        {
            var pattern = (prefix.Length == 0 ? "" : prefix + "/") + (function.Route ?? function.Name);
            var endpoint = function.Methods is null
                ? app.Map(pattern, context => forwarder.InvokeAsync(function, context))
                : app.MapMethods(pattern, function.Methods, context => forwarder.InvokeAsync(function, context));
            endpoint.WithDisplayName(function.Name);
        }

        await app.StartAsync();
        forwarder.BaseAddress = new Uri(app.Urls.Single());
        return forwarder;
    }

    /// <summary>A failure of the host's own part (the worker gone, its HTTP endpoint unreachable) is a 502 that says what happened.</summary>
    private async Task InvokeAsync(WorkerFunction function, HttpContext context)
    {
        try
        {
            await InvokeWorkerAsync(function, context);
        }
        catch (Exception failure) when (!context.RequestAborted.IsCancellationRequested)
        {
            _log($"{context.Request.Method} {context.Request.Path} ({function.Name}) failed in the test host: {failure}");
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                await context.Response.WriteAsync($"The test host could not invoke {function.Name}: {failure.Message}");
            }
        }
    }

    private async Task InvokeWorkerAsync(WorkerFunction function, HttpContext context)
    {
        var invocationId = Guid.NewGuid().ToString();
        context.Request.EnableBuffering();
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = TraceParent(context.Request.Headers.TraceParent) },
        };
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = new RpcHttp() } });
        foreach (var (key, value) in await BindingDataAsync(context))
        {
            request.TriggerMetadata[key] = value;
        }

        context.Request.Body.Position = 0;

        // As the Functions host does: the request is on its way to the worker before the invocation is.
        var forwarding = ForwardAsync(context, invocationId);
        var invoked = _connection.RequestAsync(new StreamingMessage { InvocationRequest = request }, WorkerConnection.InvocationCorrelation(invocationId));
        await forwarding;
        var response = (await invoked).InvocationResponse;
        if (response.Result.Status != StatusResult.Types.Status.Success)
        {
            _log($"Invocation {invocationId} of {function.Name} failed: {response.Result.Exception?.Message}");
        }
    }

    /// <summary>The host's own span of the request: in the client's trace when it sent a W3C <c>traceparent</c>, else in a new one.</summary>
    internal static string TraceParent(string? incoming)
    {
        var traceId = ActivityContext.TryParse(incoming, null, out var client) ? client.TraceId : ActivityTraceId.CreateRandom();
        return $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }

    private async Task ForwardAsync(HttpContext context, string invocationId)
    {
        var incoming = context.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(_workerUri, incoming.Path.Value + incoming.QueryString.Value));
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0)
        {
            outgoing.Content = new StreamContent(incoming.Body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (!NotForwarded.Contains(name) && !outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        outgoing.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);

        using var answer = await _toWorker.SendAsync(outgoing, context.RequestAborted);

        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!NotForwarded.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>
    /// The trigger metadata of an HTTP invocation, in the order the Functions host's HTTP binding builds it
    /// (later keys win, names ignore case): a JSON object body's top-level properties, each query value,
    /// each route value, then the query and header collections.
    /// </summary>
    private static async Task<Dictionary<string, TypedData>> BindingDataAsync(HttpContext context)
    {
        var data = new Dictionary<string, TypedData>(StringComparer.OrdinalIgnoreCase);
        if (context.Request.ContentLength > 0)
        {
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            if (TryParseObject(body) is { } properties)
            {
                foreach (var (name, value) in properties)
                {
                    data[name] = value is JsonValue primitive && primitive.GetValueKind() != JsonValueKind.Null
                        ? new TypedData { String = primitive.GetValueKind() == JsonValueKind.String ? primitive.GetValue<string>() : primitive.ToJsonString() }
                        : new TypedData { Json = value?.ToJsonString() ?? "null" };
                }
            }
        }

        foreach (var (name, value) in context.Request.Query)
        {
            data[name] = new TypedData { String = value.ToString() };
        }

        foreach (var (name, value) in context.GetRouteData().Values)
        {
            if (value is not null)
            {
                data[name] = new TypedData { String = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) };
            }
        }

        data.TryAdd("Query", new TypedData { Json = JsonSerializer.Serialize(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())) });
        data.TryAdd("Headers", new TypedData { Json = JsonSerializer.Serialize(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())) });
        return data;
    }

    /// <summary>The top-level properties of a JSON object body; nothing for any other body (the host ignores what it cannot parse).</summary>
    private static List<KeyValuePair<string, JsonNode?>>? TryParseObject(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject properties ? [.. properties] : null;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _toWorker.Dispose();
    }
}

/// <summary>
/// The Functions host's retry of a request it could not get to the worker (a connection refused: the
/// request was not sent): up to 10 attempts, 50 ms apart at first, doubling up to 250 ms.
/// </summary>
internal sealed class ConnectionRetries(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public const int MaxAttempts = 10;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException failure) when (attempt < MaxAttempts && failure.HttpRequestError == HttpRequestError.ConnectionError)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }
    }
}
