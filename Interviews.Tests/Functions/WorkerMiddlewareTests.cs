using Microsoft.Azure.Functions.Worker.Converters;
using Interviews.Functions.Interviews;
using Interviews.Functions.Operations;
using System.Text.Json.Nodes;
using Interviews.Functions.Auth;
using Interviews.Functions.Hosting;
using Interviews.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace Interviews.Tests.Functions;

/// <summary>
/// The Functions host's adapters, run as the worker runs them: the worker's FunctionContext cannot be
/// created outside the host, so it is mocked (Moq) around a real HttpContext.
/// </summary>
public sealed class WorkerMiddlewareTests
{
    private static BearerTokenValidator Validator() =>
        new(LocalHostFactory.DevelopmentTokens.ValidationParameters(TimeSpan.Zero), NullLogger<BearerTokenValidator>.Instance);

    private static (FunctionContext Context, DefaultHttpContext Http) Invocation(string entryPoint, string? bearer)
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        if (bearer is not null)
        {
            http.Request.Headers.Authorization = $"Bearer {bearer}";
        }

        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.EntryPoint).Returns(entryPoint);
        definition.SetupGet(d => d.Name).Returns(entryPoint.Split('.')[^1]);
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        return (context.Object, http);
    }

    private static async Task<JsonObject> ProblemAsync(HttpContext http)
    {
        http.Response.Body.Position = 0;
        Assert.Equal("application/problem+json", http.Response.ContentType);
        return JsonNode.Parse(http.Response.Body)!.AsObject();
    }

    [Fact]
    public async Task The_worker_middleware_answers_401_without_a_token_and_never_runs_the_function()
    {
        var (context, http) = Invocation(typeof(InterviewsApi).FullName + ".List", bearer: null);
        var ran = false;
        await new FunctionsAuthenticationMiddleware(Validator()).Invoke(context, _ => { ran = true; return Task.CompletedTask; });
        Assert.False(ran);
        Assert.Equal(401, http.Response.StatusCode);
        Assert.Equal("Bearer", http.Response.Headers.WWWAuthenticate.ToString());
        Assert.Equal("unauthenticated", (await ProblemAsync(http))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_worker_middleware_sets_the_user_from_a_valid_token()
    {
        var (context, http) = Invocation(typeof(InterviewsApi).FullName + ".List", LocalHostFactory.DevelopmentTokens.Mint("worker-user", null, DateTimeOffset.UtcNow));
        var ran = false;
        await new FunctionsAuthenticationMiddleware(Validator()).Invoke(context, _ => { ran = true; return Task.CompletedTask; });
        Assert.True(ran);
        Assert.Equal(UserIds.NameBased("worker-user"), CurrentUser.Of(http)?.Id);
    }

    [Fact]
    public async Task The_worker_middleware_lets_anonymous_functions_through()
    {
        var (context, http) = Invocation(typeof(HealthApi).FullName + ".Health", bearer: null);
        var ran = false;
        await new FunctionsAuthenticationMiddleware(Validator()).Invoke(context, _ => { ran = true; return Task.CompletedTask; });
        Assert.True(ran);
        Assert.Null(CurrentUser.Of(http));
    }

    [Fact]
    public async Task The_worker_exception_middleware_turns_a_bug_into_a_500_problem_without_details()
    {
        var (context, http) = Invocation(typeof(InterviewsApi).FullName + ".List", bearer: null);
        await new FunctionsExceptionMiddleware(NullLogger<FunctionsExceptionMiddleware>.Instance)
            .Invoke(context, _ => throw new InvalidOperationException("secret internals"));
        Assert.Equal(500, http.Response.StatusCode);
        var problem = await ProblemAsync(http);
        Assert.Equal("internal-error", problem["code"]!.GetValue<string>());
        Assert.DoesNotContain("secret internals", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_binds_the_current_user_from_the_authenticated_principal_only()
    {
        var (context, http) = Invocation(typeof(InterviewsApi).FullName + ".List", LocalHostFactory.DevelopmentTokens.Mint("worker-user", "worker@example.com", DateTimeOffset.UtcNow));
        await new FunctionsAuthenticationMiddleware(Validator()).Invoke(context, _ => Task.CompletedTask);
        var converter = new CurrentUserConverter();

        var bound = await converter.ConvertAsync(Conversion(context, typeof(CurrentUser)));
        var other = await converter.ConvertAsync(Conversion(context, typeof(string)));

        Assert.Equal(ConversionStatus.Succeeded, bound.Status);
        Assert.Equal(new CurrentUser(UserIds.NameBased("worker-user"), "worker@example.com"), bound.Value);
        Assert.Equal(ConversionStatus.Unhandled, other.Status);
    }

    [Fact]
    public async Task A_function_that_takes_the_current_user_fails_closed_without_an_authentication_adapter()
    {
        // No middleware ran: the request carries no principal of this service, whatever its headers say.
        var (context, http) = Invocation(typeof(InterviewsApi).FullName + ".List", LocalHostFactory.DevelopmentTokens.Mint("worker-user", null, DateTimeOffset.UtcNow));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await new CurrentUserConverter().ConvertAsync(Conversion(context, typeof(CurrentUser))));
        Assert.Throws<InvalidOperationException>(() => CurrentUser.Required(http));
    }

    private static ConverterContext Conversion(FunctionContext context, Type target)
    {
        var conversion = new Mock<ConverterContext>();
        conversion.Setup(c => c.TargetType).Returns(target);
        conversion.Setup(c => c.FunctionContext).Returns(context);
        return conversion.Object;
    }
}
