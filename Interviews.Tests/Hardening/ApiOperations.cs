using System.Globalization;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;

namespace Interviews.Tests.Hardening;

/// <summary>A parameter of an operation as the OpenAPI document declares it (<c>$ref</c>s resolved).</summary>
public sealed record ApiParameter(string Name, string In, bool Required, JsonNode Schema);

/// <summary>
/// One operation of the OpenAPI document: method, path template, parameters (path-level and
/// operation-level), the JSON request body's schema, whether it needs a bearer token and the statuses
/// it declares. The hardening suites enumerate these rather than a hand-written list, so that an
/// endpoint added to the document is fuzzed and checked without editing them.
/// </summary>
public sealed record ApiOperation(
    string Method,
    string Template,
    IReadOnlyList<ApiParameter> Parameters,
    JsonNode? BodySchema,
    bool Secured,
    IReadOnlySet<string> Statuses,
    int MaxBodyBytes,
    ExampleBody? Example = null)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    /// <summary>The document every suite reads: the one the app embeds and serves.</summary>
    public static JsonObject Document => OpenApiContract.Instance.Document;

    public static IReadOnlyList<ApiOperation> All { get; } = Load(Document);

    public bool IsWrite => Method is not "GET";

    public IEnumerable<ApiParameter> PathParameters => Parameters.Where(p => p.In == "path");

    public IEnumerable<ApiParameter> QueryParameters => Parameters.Where(p => p.In == "query");

    public IEnumerable<ApiParameter> HeaderParameters => Parameters.Where(p => p.In == "header");

    /// <summary>"/api" + the template with each path parameter replaced by <paramref name="value"/> of its name.</summary>
    public string Path(Func<ApiParameter, string> value) =>
        OpenApiContract.Instance.ServerPrefix + PathParameters.Aggregate(Template, (path, p) => path.Replace("{" + p.Name + "}", value(p), StringComparison.Ordinal));

    public override string ToString() => $"{Method} {Template}";

    public static JsonNode Resolve(JsonNode node)
    {
        while (node is JsonObject o && o["$ref"]?.GetValue<string>() is { } reference)
        {
            node = reference[2..].Split('/').Aggregate((JsonNode)Document, (current, segment) => current[segment.Replace("~1", "/").Replace("~0", "~")]!);
        }

        return node;
    }

    private static List<ApiOperation> Load(JsonObject document)
    {
        var secured = document["security"] is JsonArray { Count: > 0 };
        var operations = new List<ApiOperation>();
        foreach (var (template, pathNode) in document["paths"]!.AsObject())
        {
            var pathItem = pathNode!.AsObject();
            var shared = ParametersOf(pathItem["parameters"]);
            foreach (var method in Methods.Where(pathItem.ContainsKey))
            {
                var operation = pathItem[method]!.AsObject();
                var parameters = shared.Where(s => !ParametersOf(operation["parameters"]).Any(p => p.Name == s.Name && p.In == s.In))
                    .Concat(ParametersOf(operation["parameters"]))
                    .ToList();
                var body = operation["requestBody"] is { } requestBody
                    ? Resolve(requestBody)["content"]?["application/json"]?["schema"]
                    : null;
                var security = operation["security"] is JsonArray own ? own.Count > 0 : secured;
                operations.Add(new ApiOperation(
                    method.ToUpperInvariant(),
                    template,
                    parameters,
                    body,
                    security,
                    operation["responses"]!.AsObject().Select(r => r.Key).ToHashSet(StringComparer.Ordinal),
                    // An operation whose rules allow a larger body says so (x-max-body-bytes); the rest take the API's 64 KB.
                    operation["x-max-body-bytes"]?.GetValue<int>() ?? Interviews.Functions.Http.JsonBody.MaxBytes,
                    body is null ? ExampleOf(operation["requestBody"]) : null));
            }
        }

        return operations;
    }

    /// <summary>The first example of a request body that is not JSON (an iCalendar invitation): what a suite sends to make the operation succeed.</summary>
    private static ExampleBody? ExampleOf(JsonNode? requestBody) =>
        requestBody is null ? null
        : Resolve(requestBody)["content"]?.AsObject().Where(c => c.Value?["example"] is JsonValue).Select(c => new ExampleBody(c.Key, c.Value!["example"]!.GetValue<string>())).FirstOrDefault();

    private static List<ApiParameter> ParametersOf(JsonNode? node) =>
        node is JsonArray array
            ? [.. array.Select(p => Resolve(p!)).Select(p => new ApiParameter(
                p["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["required"]?.GetValue<bool>() ?? false, p["schema"] ?? new JsonObject()))]
            : [];
}

/// <summary>A request body the document gives as an example, with its media type (for operations whose body is not JSON).</summary>
public sealed record ExampleBody(string MediaType, string Text);

/// <summary>
/// Makes JSON values from the document's schemas: valid-ish ones (within every bound, from the enums
/// and examples, instants near the clock for date-times) for a fuzzer to mutate. Nothing here knows
/// the Interviews API; it reads only JSON Schema.
/// </summary>
public sealed class SchemaSampler(Random random, Func<DateTimeOffset> now)
{
    public Random Random => random;

    public JsonNode? Valid(JsonNode schema, string? name = null, int depth = 0)
    {
        var refName = (schema as JsonObject)?["$ref"]?.GetValue<string>() ?? "";
        var s = ApiOperation.Resolve(schema);
        if (s["allOf"] is JsonArray { Count: > 0 } all)
        {
            return Valid(all[random.Next(all.Count)]!, name ?? refName, depth);
        }

        if ((s["anyOf"] ?? s["oneOf"]) is JsonArray { Count: > 0 } any)
        {
            return Valid(any[random.Next(any.Count)]!, name, depth);
        }

        if (s["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[random.Next(values.Count)]!.DeepClone();
        }

        var types = TypesOf(s);
        if (types.Contains("null") && random.Next(10) == 0)
        {
            return null;
        }

        var type = types.FirstOrDefault(t => t != "null") ?? "object";
        return type switch
        {
            "object" => Object(s, depth),
            "array" => Array(s, name, depth),
            "integer" => JsonValue.Create(Integer(s)),
            "number" => JsonValue.Create(random.NextDouble() * 100),
            "boolean" => JsonValue.Create(random.Next(2) == 0),
            _ => JsonValue.Create(Text(s, name ?? refName)),
        };
    }

    public static IReadOnlyList<string> TypesOf(JsonNode schema) => ApiOperation.Resolve(schema)["type"] switch
    {
        JsonArray array => [.. array.Select(t => t!.GetValue<string>())],
        JsonValue value => [value.GetValue<string>()],
        _ => [],
    };

    /// <summary>A date-time near the clock, mostly ahead of it, in UTC or (sometimes) as local wall-clock time.</summary>
    public string Instant()
    {
        var at = now().AddMinutes(random.Next(-2 * 24 * 60, 10 * 24 * 60)).UtcDateTime;
        return random.Next(4) == 0
            ? at.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture)
            : at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private JsonObject Object(JsonNode s, int depth)
    {
        var result = new JsonObject();
        var required = (s["required"] as JsonArray)?.Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        if (s["properties"] is JsonObject properties && depth < 8)
        {
            foreach (var (name, property) in properties)
            {
                if (required.Contains(name) || random.Next(10) < 7)
                {
                    result[name] = Valid(property!, name, depth + 1);
                }
            }
        }

        return result;
    }

    private JsonArray Array(JsonNode s, string? name, int depth)
    {
        var min = s["minItems"]?.GetValue<int>() ?? 0;
        var max = Math.Min(s["maxItems"]?.GetValue<int>() ?? 4, Math.Max(min, 4));
        var unique = s["uniqueItems"]?.GetValue<bool>() ?? false;
        var array = new JsonArray();
        var count = random.Next(min, max + 1);
        for (var i = 0; i < count && s["items"] is { } items; i++)
        {
            var item = Valid(items, name, depth + 1);
            if (!unique || !array.Any(a => JsonNode.DeepEquals(a, item)))
            {
                array.Add(item);
            }
        }

        return array;
    }

    private long Integer(JsonNode s)
    {
        var min = s["minimum"]?.GetValue<long>() ?? 0;
        var max = s["maximum"]?.GetValue<long>() ?? 100;
        return min + (long)(random.NextDouble() * (max - min + 1));
    }

    private string Text(JsonNode s, string hint)
    {
        var format = s["format"]?.GetValue<string>();
        var description = s["description"]?.GetValue<string>() ?? "";
        if (format == "uuid")
        {
            return Guid.NewGuid().ToString();
        }

        if (format == "date")
        {
            return now().AddDays(random.Next(-10, 30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (format == "date-time" || hint.Contains("DateTime", StringComparison.Ordinal) || hint.EndsWith("At", StringComparison.Ordinal)
            || description.Contains("date-time", StringComparison.OrdinalIgnoreCase))
        {
            return Instant();
        }

        if (format == "email" || hint.Contains("email", StringComparison.OrdinalIgnoreCase) || hint.Contains("recipient", StringComparison.OrdinalIgnoreCase))
        {
            return $"someone{random.Next(1000)}@example.com";
        }

        if (s["examples"] is JsonArray { Count: > 0 } examples && examples[random.Next(examples.Count)] is JsonValue example && example.TryGetValue<string>(out var text))
        {
            return text;
        }

        var minLength = s["minLength"]?.GetValue<int>() ?? 0;
        var maxLength = Math.Min(s["maxLength"]?.GetValue<int>() ?? 40, 40);
        var length = random.Next(Math.Max(minLength, 1), Math.Max(minLength, maxLength) + 1);
        return Words(length);
    }

    public string Words(int length)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz     ÄéßЖ中";
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = letters[random.Next(letters.Length)];
        }

        chars[0] = 'x';
        return new string(chars);
    }
}
