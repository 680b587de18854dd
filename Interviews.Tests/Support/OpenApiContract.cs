using Interviews.Functions.Operations;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Interviews.Tests.Support;

/// <summary>
/// The API's OpenAPI 3.1 document (as the app embeds and serves it) used as a test oracle: checks that a
/// real response's status is one the document lists for its path and method, that its content type and
/// required headers are the declared ones, and that its body validates against the declared schema
/// (JSON Schema 2020-12; <c>#/components/schemas/…</c> references resolve through a registered bundle).
/// </summary>
public sealed class OpenApiContract
{
    private const string BundleUri = "https://interviews.test/openapi/components";
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly EvaluationOptions _options;

    private OpenApiContract(JsonObject document)
    {
        Document = document;
        ServerPrefix = document["servers"]![0]!["url"]!.GetValue<string>().TrimEnd('/');
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        var bundle = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = BundleUri,
            ["$defs"] = Rewrite(document["components"]!["schemas"]!),
        };
        _options.SchemaRegistry.Register(new Uri(BundleUri), JsonSchema.FromText(bundle.ToJsonString()));
    }

    public static OpenApiContract Instance { get; } = new(JsonNode.Parse(OpenApiApi.DocumentBytes.Span)!.AsObject());

    public JsonObject Document { get; }

    /// <summary>The first server's URL, "/api": the route prefix the paths are relative to.</summary>
    public string ServerPrefix { get; }

    /// <summary>"GET /interviews/{id}", … for every operation of the document.</summary>
    public IEnumerable<string> Operations() =>
        from path in Document["paths"]!.AsObject()
        from method in Methods
        where path.Value!.AsObject().ContainsKey(method)
        select $"{method.ToUpperInvariant()} {path.Key}";

    /// <summary>The (template, method, status) triples this contract has checked, for coverage assertions.</summary>
    public ConcurrentDictionary<string, bool> Checked { get; } = new(StringComparer.Ordinal);

    /// <summary>Fails unless <paramref name="response"/> is what the document declares for its request.</summary>
    public async Task AssertConformsAsync(HttpResponseMessage response)
    {
        var request = response.RequestMessage!;
        var method = request.Method.Method.ToLowerInvariant();
        var path = request.RequestUri!.AbsolutePath;
        var where = $"{request.Method} {path} → {(int)response.StatusCode}";
        Assert.True(path.StartsWith(ServerPrefix + "/", StringComparison.Ordinal), $"{where}: not under the document's server URL {ServerPrefix}.");
        var template = Template(path[ServerPrefix.Length..]) ?? throw new Xunit.Sdk.XunitException($"{where}: no path of the document matches.");
        var operation = Document["paths"]![template]![method] as JsonObject;
        Assert.True(operation is not null, $"{where}: the document has no {method} operation for {template}.");

        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var declared = operation["responses"]![status];
        Assert.True(declared is not null, $"{where}: status {status} is not among the operation's responses ({string.Join(", ", operation["responses"]!.AsObject().Select(r => r.Key))}).");
        var declaredResponse = Resolve(declared).AsObject();
        Checked[$"{method.ToUpperInvariant()} {template} {status}"] = true;

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        AssertHeaders(where, response, declaredResponse);

        if (declaredResponse["content"] is not JsonObject content)
        {
            Assert.True(body.Length == 0, $"{where}: the document declares no body, but one came: {Shorten(body)}");
            return;
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "(none)";
        Assert.True(content[mediaType] is not null,
            $"{where}: content type {mediaType} is not among the declared {string.Join(", ", content.Select(c => c.Key))}.");
        var schemaNode = content[mediaType]!["schema"]!;
        // A JSON body is checked against its schema; any other (text/calendar) as the string it is.
        var instance = mediaType.EndsWith("json", StringComparison.Ordinal) ? JsonNode.Parse(body) : JsonValue.Create(body);
        var results = SchemaFor($"{template}|{method}|{status}|{mediaType}", schemaNode).Evaluate(instance, _options);
        Assert.True(results.IsValid, $"{where}: the body does not match the document's schema.\n{Describe(results)}\nBody: {Shorten(body)}");
    }

    /// <summary>The document path that <paramref name="path"/> (without the server prefix) falls under; literal segments win over parameters.</summary>
    public string? Template(string path) =>
        Document["paths"]!.AsObject()
            .Select(p => p.Key)
            .Where(t => Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(t), @"\\\{[^/]+?\}", "[^/]+") + "$"))
            .OrderBy(t => t.Count(c => c == '{'))
            .FirstOrDefault();

    private void AssertHeaders(string where, HttpResponseMessage response, JsonObject declaredResponse)
    {
        if (declaredResponse["headers"] is not JsonObject headers)
        {
            return;
        }

        foreach (var (name, node) in headers)
        {
            var header = Resolve(node!).AsObject();
            var present = response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values);
            if (!present)
            {
                Assert.False(header["required"]?.GetValue<bool>() ?? false, $"{where}: the required header {name} is missing.");
                continue;
            }

            var value = string.Join(", ", values!);
            var results = SchemaFor($"header|{name}|{header["schema"]!.ToJsonString()}", header["schema"]!).Evaluate(JsonValue.Create(value), _options);
            Assert.True(results.IsValid, $"{where}: header {name}: {value} does not match its schema.\n{Describe(results)}");
        }
    }

    private JsonNode Resolve(JsonNode node)
    {
        while (node is JsonObject o && o["$ref"]?.GetValue<string>() is { } reference)
        {
            Assert.StartsWith("#/", reference);
            node = reference[2..].Split('/').Aggregate((JsonNode)Document, (current, segment) => current[segment.Replace("~1", "/").Replace("~0", "~")]!);
        }

        return node;
    }

    private JsonSchema SchemaFor(string key, JsonNode schema) =>
        _schemas.GetOrAdd(key, _ =>
        {
            var root = Rewrite(schema).AsObject();
            root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
            root["$id"] = $"https://interviews.test/openapi/checks/{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))}";
            return JsonSchema.FromText(root.ToJsonString());
        });

    /// <summary>A copy with every <c>#/components/schemas/X</c> reference pointing into the registered bundle.</summary>
    private static JsonNode Rewrite(JsonNode node) =>
        JsonNode.Parse(node.ToJsonString().Replace("\"#/components/schemas/", $"\"{BundleUri}#/$defs/", StringComparison.Ordinal))!;

    private static string Describe(EvaluationResults results) =>
        string.Join('\n', (results.Details.Count > 0 ? results.Details : [results])
            .Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"  at {d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}")));

    private static string Shorten(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}
