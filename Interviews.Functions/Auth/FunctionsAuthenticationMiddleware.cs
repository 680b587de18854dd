using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Interviews.Functions.Auth;

/// <summary>
/// The Functions host's adapter of <see cref="BearerTokenValidator"/>: every HTTP function needs a
/// valid bearer token unless its method carries <see cref="AllowAnonymousAttribute"/>.
/// </summary>
public sealed class FunctionsAuthenticationMiddleware(BearerTokenValidator validator) : IFunctionsWorkerMiddleware
{
    private static readonly ConcurrentDictionary<string, bool> AnonymousByEntryPoint = new(StringComparer.Ordinal);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext();
        if (http is null || IsAnonymous(context.FunctionDefinition))
        {
            await next(context);
            return;
        }

        var outcome = await validator.ValidateAsync(http.Request.Headers.Authorization);
        if (!outcome.Succeeded)
        {
            await BearerTokenValidator.ChallengeAsync(http, outcome);
            return;
        }

        http.User = outcome.Principal!;
        await next(context);
    }

    private static bool IsAnonymous(FunctionDefinition function) =>
        AnonymousByEntryPoint.GetOrAdd(function.EntryPoint, _ => FindMethod(function)?.GetCustomAttribute<AllowAnonymousAttribute>() is not null);

    // EntryPoint is "Namespace.Type.Method" in this assembly.
    private static MethodInfo? FindMethod(FunctionDefinition function)
    {
        var split = function.EntryPoint.LastIndexOf('.');
        return typeof(FunctionsAuthenticationMiddleware).Assembly
            .GetType(function.EntryPoint[..split])
            ?.GetMethod(function.EntryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
    }
}
