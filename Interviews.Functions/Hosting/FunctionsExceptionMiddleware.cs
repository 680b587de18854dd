using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Hosting;

/// <summary>
/// The Functions host's last line: a bug in an HTTP function becomes a 500 problem without details
/// (unhandled exceptions in isolated HTTP triggers otherwise risk hanging until the gateway times out);
/// a store that is unavailable for now becomes a 503 with Retry-After.
/// </summary>
public sealed partial class FunctionsExceptionMiddleware(ILogger<FunctionsExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            if (exception is StoreUnavailableException unavailable)
            {
                LogUnavailable(logger, context.FunctionDefinition.Name, unavailable.Message);
                await Problems.WriteUnavailableAsync(http, unavailable.RetryAfter);
                return;
            }

            LogFailed(logger, exception, context.FunctionDefinition.Name);
            await Problems.WriteAsync(http, StatusCodes.Status500InternalServerError, "internal-error", "The request failed on the server; it was logged.");
        }
    }

    // One line without the stack trace: an unavailable store fails every request until it is back.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {Function}: 503, the store is unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string function, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function);
}
