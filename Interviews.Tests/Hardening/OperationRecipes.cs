using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Hardening;

/// <summary>
/// How to make an operation of the document succeed, found by trying rather than written down: the
/// body that creates its resource (the <c>POST</c> of the collection above its first path parameter),
/// the steps that put the resource in a state the operation accepts (moving the clock past the
/// resource's time, another operation of the same resource), and a body the operation accepts. A
/// recipe replays exactly: the clock goes back to the same start before each replay.
/// </summary>
public sealed record OperationRecipe(ApiOperation Operation, string? CreateBody, IReadOnlyList<RecipeStep> Steps, string? Body);

/// <summary>A step before the operation: move the clock (<see cref="Operation"/> null), or run another operation with its body.</summary>
public sealed record RecipeStep(ApiOperation? Operation, string? Body);

public sealed class OperationRecipes(JumpingClock clock, int seed = 4242)
{
    /// <summary>Far enough for anything the sampler schedules (at most 10 days ahead) to have begun.</summary>
    public static readonly TimeSpan ClockStep = TimeSpan.FromDays(11);

    private readonly SchemaSampler _sampler = new(new Random(seed), clock.GetUtcNow);
    private readonly DateTimeOffset _start = clock.GetUtcNow();

    /// <summary>The operation that creates the resources <paramref name="operation"/> works on, if it has a path parameter.</summary>
    public static ApiOperation? Creator(ApiOperation operation)
    {
        var brace = operation.Template.IndexOf('{', StringComparison.Ordinal);
        if (brace < 0)
        {
            return null;
        }

        var collection = operation.Template[..brace].TrimEnd('/');
        return ApiOperation.All.FirstOrDefault(o => o.Method == "POST" && o.Template == collection && o.BodySchema is not null);
    }

    public async Task<OperationRecipe?> FindAsync(HttpClient client, ApiOperation operation)
    {
        var creator = Creator(operation);
        if (operation.PathParameters.Any(p => p.Name == "id") && creator is null)
        {
            return null;
        }

        var siblings = creator is null ? [] : ApiOperation.All
            .Where(o => o.IsWrite && o.Method != "DELETE" && o != operation && o.PathParameters.Any() && Creator(o) == creator)
            .ToList();
        var chains = new List<List<RecipeStep>> { new(), new() { new RecipeStep(null, null) } };
        chains.AddRange(siblings.Select(s => new List<RecipeStep> { new(null, null), new(s, null) }));
        chains.AddRange(siblings.Select(s => new List<RecipeStep> { new(s, null) }));

        foreach (var chain in chains)
        {
            for (var attempt = 0; attempt < 25; attempt++)
            {
                Reset();
                string? createBody = null;
                string? id = null;
                if (creator is not null)
                {
                    (createBody, id) = await CreateAsync(client, creator);
                    if (id is null)
                    {
                        return null;
                    }
                }

                var steps = await ApplyAsync(client, chain, id);
                if (steps is null)
                {
                    break;
                }

                var body = operation.BodySchema is { } schema ? _sampler.Valid(schema)!.ToJsonString() : null;
                using var response = await SendAsync(client, operation, id, body);
                if (response.IsSuccessStatusCode)
                {
                    return new OperationRecipe(operation, createBody, steps, body);
                }

                if (response.StatusCode == HttpStatusCode.Conflict || operation.BodySchema is null)
                {
                    break;
                }
            }
        }

        return null;
    }

    /// <summary>Replays the recipe up to the operation; returns the resource's id (null for an operation without one).</summary>
    public async Task<string?> PrepareAsync(HttpClient client, OperationRecipe recipe)
    {
        Reset();
        string? id = null;
        if (recipe.CreateBody is not null)
        {
            using var created = await client.SendAsync(Json(HttpMethod.Post, OpenApiContract.Instance.ServerPrefix + Creator(recipe.Operation)!.Template, recipe.CreateBody), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await created.JsonAsync())["id"]!.GetValue<string>();
        }

        foreach (var step in recipe.Steps)
        {
            if (step.Operation is null)
            {
                clock.Advance(ClockStep);
                continue;
            }

            using var response = await SendAsync(client, step.Operation, id, step.Body);
            Assert.True(response.IsSuccessStatusCode, $"Replaying {step.Operation}: {(int)response.StatusCode}");
        }

        return id;
    }

    private static string? FixedValue(System.Text.Json.Nodes.JsonNode schema)
    {
        var resolved = ApiOperation.Resolve(schema);
        return resolved["const"]?.ToString() ?? (resolved["enum"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } values ? values[0]?.ToString() : null);
    }

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, ApiOperation operation, string? id, string? body, string? authorization = null)
    {
        // A path parameter with fixed values (a provider name) takes the first; an id takes the resource's.
        // Required query parameters take their one allowed value (DELETE /me?confirm=true).
        var path = operation.Path(p => FixedValue(p.Schema) ?? id ?? Guid.NewGuid().ToString());
        var required = operation.QueryParameters.Where(q => q.Required).Select(q => $"{q.Name}={Uri.EscapeDataString(FixedValue(q.Schema) ?? (IsUuid(q.Schema) ? FixedGuid : "x"))}").ToList();
        var target = required.Count == 0 ? path : $"{path}?{string.Join('&', required)}";
        var request = body is null && operation.Example is { } example
            ? new HttpRequestMessage(new HttpMethod(operation.Method), target) { Content = new StringContent(example.Text, Encoding.UTF8, example.MediaType) }
            : Json(new HttpMethod(operation.Method), target, body);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A required id in the query (an import's application) takes this one.</summary>
    private const string FixedGuid = "6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11";

    private static bool IsUuid(System.Text.Json.Nodes.JsonNode schema) => ApiOperation.Resolve(schema)["format"]?.GetValue<string>() == "uuid";

    public static HttpRequestMessage Json(HttpMethod method, string path, string? body) => new(method, path)
    {
        Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
    };

    private void Reset() => clock.SetUtcNow(_start);

    private async Task<(string? Body, string? Id)> CreateAsync(HttpClient client, ApiOperation creator)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var body = _sampler.Valid(creator.BodySchema!)!.ToJsonString();
            using var response = await SendAsync(client, creator, null, body);
            if (response.StatusCode == HttpStatusCode.Created && (await response.JsonAsync())["id"]?.GetValue<string>() is { } id)
            {
                return (body, id);
            }
        }

        return (null, null);
    }

    private async Task<List<RecipeStep>?> ApplyAsync(HttpClient client, List<RecipeStep> chain, string? id)
    {
        var applied = new List<RecipeStep>();
        foreach (var step in chain)
        {
            if (step.Operation is null)
            {
                clock.Advance(ClockStep);
                applied.Add(step);
                continue;
            }

            var done = false;
            for (var attempt = 0; attempt < 25 && !done; attempt++)
            {
                var body = step.Operation.BodySchema is { } schema ? _sampler.Valid(schema)!.ToJsonString() : null;
                using var response = await SendAsync(client, step.Operation, id, body);
                if (response.IsSuccessStatusCode)
                {
                    applied.Add(new RecipeStep(step.Operation, body));
                    done = true;
                }
                else if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    return null;
                }
            }

            if (!done)
            {
                return null;
            }
        }

        return applied;
    }
}

/// <summary>A copy of a JSON body with one field set, for the limits suite.</summary>
public static class JsonBodies
{
    public static string With(string body, string field, JsonNode? value)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        json[field] = value;
        return json.ToJsonString();
    }
}
