using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Interviews.Functions.Storage;

namespace Interviews.LocalHost;

/// <summary>LocalHost's adapter of <see cref="BearerTokenValidator"/>: the same rule as the worker middleware, on ASP.NET Core endpoints.</summary>
public sealed class LocalAuthenticationMiddleware(RequestDelegate next, BearerTokenValidator validator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<LocalFunction>() is not { Anonymous: false })
        {
            await next(context);
            return;
        }

        var outcome = await validator.ValidateAsync(context.Request.Headers.Authorization);
        if (!outcome.Succeeded)
        {
            await BearerTokenValidator.ChallengeAsync(context, outcome);
            return;
        }

        context.User = outcome.Principal!;
        await next(context);
    }
}

/// <summary>
/// A bug becomes a 500 problem without details, as on the Functions host, and an unavailable store a
/// 503 with Retry-After; a client that went away gets nothing.
/// </summary>
public sealed partial class LocalExceptionMiddleware(RequestDelegate next, ILogger<LocalExceptionMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            context.Response.Clear();
            if (exception is StoreUnavailableException unavailable)
            {
                LogUnavailable(logger, context.Request.Method, context.Request.Path, unavailable.Message);
                await Problems.WriteUnavailableAsync(context, unavailable.RetryAfter);
                return;
            }

            LogFailed(logger, exception, context.Request.Method, context.Request.Path);
            await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal-error", "The request failed on the server; it was logged.");
        }
    }

    // One line without the stack trace: an unavailable store fails every request until it is back.
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: 503, the store is unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path);
}

/// <summary>LocalHost's adapter of <see cref="Functions.Hosting.RequestLogScope"/>; runs after <see cref="LocalAuthenticationMiddleware"/>.</summary>
public sealed class LocalRequestLogScopeMiddleware(RequestDelegate next, ILogger<LocalRequestLogScopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        using var scope = Functions.Hosting.RequestLogScope.Begin(logger, context);
        await next(context);
    }
}
