using Interviews.Functions.Auth;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.LocalHost;

/// <summary>What LocalHost knows of a mapped HTTP function (endpoint metadata).</summary>
public sealed record LocalFunction(string Name, bool Anonymous);

/// <summary>
/// Maps every HTTP-triggered function of an assembly to a Kestrel route, read from the functions' own
/// <c>[Function]</c> and <c>[HttpTrigger]</c> attributes (the one route table): the route is
/// <c>/{routePrefix}/{Route ?? FunctionName}</c>, the verbs are the trigger's (none means any).
/// Functions get <see cref="HttpRequest"/>, <see cref="CancellationToken"/>, the <see cref="CurrentUser"/> and route values by name;
/// a parameter of any other kind fails start-up rather than a request.
/// </summary>
public static class FunctionEndpoints
{
    public static IReadOnlyList<LocalFunction> Map(IEndpointRouteBuilder endpoints, Assembly functions, string routePrefix)
    {
        var mapped = new List<LocalFunction>();
        foreach (var type in functions.GetExportedTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
                if (function is null || trigger is null)
                {
                    continue;
                }

                var route = "/" + string.Join('/', new[] { routePrefix.Trim('/'), (trigger.Route ?? function.Name).Trim('/') }.Where(s => s.Length > 0));
                var local = new LocalFunction(function.Name, method.GetCustomAttribute<AllowAnonymousAttribute>() is not null);
                var handler = Handler(type, method);
                var builder = trigger.Methods is { Length: > 0 } verbs
                    ? endpoints.MapMethods(route, [.. verbs.Select(v => v.ToUpperInvariant())], handler)
                    : endpoints.Map(route, handler);
                builder.WithMetadata(local).WithDisplayName(function.Name);
                mapped.Add(local);
            }
        }

        return mapped;
    }

    /// <summary>The Functions host's route prefix from host.json (<c>extensions.http.routePrefix</c>, default "api").</summary>
    public static string RoutePrefix(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath))
        {
            return "api";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            && prefix.GetString() is { } value
                ? value
                : "api";
    }

    private static RequestDelegate Handler(Type type, MethodInfo method)
    {
        var binders = method.GetParameters().Select(Binder).ToArray();
        if (!typeof(Task<IResult>).IsAssignableFrom(method.ReturnType) && !typeof(IResult).IsAssignableFrom(method.ReturnType))
        {
            throw new InvalidOperationException($"{type.Name}.{method.Name} must return IResult or Task<IResult> to run on LocalHost.");
        }

        // The constructor is resolved once; CreateInstance looked it up by reflection on every request.
        var create = method.IsStatic ? null : ActivatorUtilities.CreateFactory(type, Type.EmptyTypes);
        return async context =>
        {
            // Like the worker: a new instance of the function class per invocation, from the request's services.
            var instance = create?.Invoke(context.RequestServices, null);
            var arguments = binders.Select(bind => bind(context)).ToArray();
            var result = method.Invoke(instance, arguments) switch
            {
                Task<IResult> task => await task,
                IResult value => value,
                _ => throw new InvalidOperationException($"{method.Name} returned no result."),
            };
            await result.ExecuteAsync(context);
        };
    }

    private static Func<HttpContext, object?> Binder(ParameterInfo parameter)
    {
        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return context => context.Request;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return context => context.RequestAborted;
        }

        if (parameter.ParameterType == typeof(CurrentUser))
        {
            // From the principal LocalAuthenticationMiddleware set, as the worker's CurrentUserConverter binds it.
            return context => CurrentUser.Required(context);
        }

        if (parameter.ParameterType == typeof(string))
        {
            var name = parameter.Name!;
            return context => context.Request.RouteValues[name]?.ToString();
        }

        throw new InvalidOperationException(
            $"Parameter '{parameter.Name}' of {parameter.Member.DeclaringType?.Name}.{parameter.Member.Name} has a type LocalHost cannot bind ({parameter.ParameterType.Name}); bind HttpRequest, CancellationToken, CurrentUser or string route values.");
    }
}
