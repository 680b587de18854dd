using Interviews.Functions.Interviews;
using System.Reflection;
using System.Text.Json;
using Interviews.LocalHost;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Interviews.Tests.Api;

/// <summary>The deployable Functions app and LocalHost agree: same functions, same routes, and the token command works.</summary>
public sealed class HostingTests
{
    private static readonly Assembly Functions = typeof(InterviewsApi).Assembly;

    private static IEnumerable<(string Name, HttpTriggerAttribute Trigger)> HttpFunctions() =>
        from type in Functions.GetExportedTypes()
        from method in type.GetMethods()
        let function = method.GetCustomAttribute<FunctionAttribute>()
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)
        where function is not null && trigger is not null
        select (function.Name, trigger);

    [Fact]
    public void Functions_metadata_lists_every_function_of_the_assembly()
    {
        // The Functions SDK writes functions.metadata at build; the host reads it to index the app.
        var metadataPath = Path.Combine(Path.GetDirectoryName(Functions.Location)!, "functions.metadata");
        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataPath));
        var listed = metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order().ToList();
        var declared = Functions.GetExportedTypes().SelectMany(t => t.GetMethods()).Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name).OfType<string>().Order().ToList();
        Assert.Equal(declared, listed);
        Assert.Equal(30, HttpFunctions().Count());
    }

    [Fact]
    public void The_routes_are_those_of_the_requirements()
    {
        var routes = HttpFunctions().Select(f => $"{string.Join(',', f.Trigger.Methods ?? []).ToUpperInvariant()} /api/{f.Trigger.Route}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "DELETE /api/calendar/connections/{provider}",
                "DELETE /api/calendar/feed",
                "DELETE /api/interviews/{id}",
                "DELETE /api/me",
                "GET /api/calendar/connections",
                "GET /api/calendar/feed/{token}.ics",
                "GET /api/calendar/oauth/{provider}/callback",
                "GET /api/health",
                "GET /api/interviews",
                "GET /api/interviews/insights",
                "GET /api/interviews/upcoming",
                "GET /api/interviews/{id}",
                "GET /api/interviews/{id}/calendar.ics",
                "GET /api/me/export",
                "GET /api/me/notification-settings",
                "GET /api/openapi.json",
                "POST /api/calendar/connections/{provider}",
                "POST /api/calendar/feed",
                "POST /api/calendar/notifications/google",
                "POST /api/calendar/notifications/microsoft",
                "POST /api/calendar/notifications/microsoft/lifecycle",
                "POST /api/interviews",
                "POST /api/interviews/import",
                "POST /api/interviews/{id}/thank-you",
                "PUT /api/interviews/{id}",
                "PUT /api/interviews/{id}/complete",
                "PUT /api/interviews/{id}/outcome",
                "PUT /api/interviews/{id}/prepare",
                "PUT /api/interviews/{id}/reschedule",
                "PUT /api/me/notification-settings",
            ],
            routes);
    }

    [Fact]
    public void The_route_prefix_comes_from_host_json()
    {
        Assert.Equal("api", FunctionEndpoints.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json")));
    }

    [Fact]
    public async Task The_token_command_prints_one_valid_token_and_nothing_else()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, TokenCommand.Run(["--user", "alice", "--email", "alice@example.com"], output, error));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var token = Assert.Single(lines).Trim();
        Assert.Equal("", error.ToString());

        var settings = DevelopmentTokens.From(new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json").Build());
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, settings.ValidationParameters(TimeSpan.Zero));
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("alice", result.Claims["sub"]);
        Assert.Equal("alice@example.com", result.Claims["email"]);
    }

    [Fact]
    public void The_token_command_without_a_user_prints_usage_and_fails()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.NotEqual(0, TokenCommand.Run([], output, error));
        Assert.Equal("", output.ToString());
        Assert.Contains("usage", error.ToString(), StringComparison.Ordinal);
    }
}
