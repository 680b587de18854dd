using System.Collections;
using System.Diagnostics;
using Interviews.Functions.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Hosting;

/// <summary>
/// The log scope of one HTTP request, begun by both hosts' adapters after authentication: the trace id
/// (the same W3C trace id that problem responses carry in <c>traceId</c>) and the caller's user id, a
/// GUID. Never a name, an e-mail address or a token: logs carry ids only.
/// </summary>
public sealed class RequestLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string TraceIdKey = "TraceId";
    public const string UserIdKey = "UserId";

    private readonly KeyValuePair<string, object?>[] _items;

    private RequestLogScope(string traceId, Guid? userId)
    {
        TraceId = traceId;
        UserId = userId;
        _items = userId is { } id
            ? [new(TraceIdKey, traceId), new(UserIdKey, id.ToString("D"))]
            : [new(TraceIdKey, traceId)];
    }

    public string TraceId { get; }

    public Guid? UserId { get; }

    public int Count => _items.Length;

    public KeyValuePair<string, object?> this[int index] => _items[index];

    /// <summary>Begins the scope for <paramref name="context"/> on <paramref name="logger"/> (scopes are shared by every logger of the factory).</summary>
    public static IDisposable? Begin(ILogger logger, HttpContext context, string? traceParent = null) =>
        logger.BeginScope(new RequestLogScope(TraceIdOf(context, traceParent), CurrentUser.Of(context)?.Id));

    /// <summary>The current activity's trace id; else the one of a W3C <c>traceparent</c>; else the request's identifier.</summary>
    public static string TraceIdOf(HttpContext context, string? traceParent = null)
    {
        if (Activity.Current is { } activity && activity.TraceId != default)
        {
            return activity.TraceId.ToHexString();
        }

        // traceparent: version "-" trace-id (32 hex) "-" parent-id "-" flags.
        if (traceParent is { Length: >= 55 } && traceParent[2] == '-')
        {
            return traceParent.Substring(3, 32);
        }

        return context.TraceIdentifier;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => UserId is { } id ? $"TraceId:{TraceId} UserId:{id:D}" : $"TraceId:{TraceId}";
}

/// <summary>The Functions host's adapter of <see cref="RequestLogScope"/>; runs after <see cref="FunctionsAuthenticationMiddleware"/>.</summary>
public sealed class FunctionsRequestLogScopeMiddleware(ILogger<FunctionsRequestLogScopeMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        using var scope = context.GetHttpContext() is { } http ? RequestLogScope.Begin(logger, http, context.TraceContext?.TraceParent) : null;
        await next(context);
    }
}
