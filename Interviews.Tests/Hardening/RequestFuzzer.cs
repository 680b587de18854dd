using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Interviews.Tests.Hardening;

/// <summary>What a fuzzing client knows of the data it may aim at: its own ids and ETags, another user's ids, cursors it was given.</summary>
public sealed class FuzzTargets
{
    public List<string> OwnIds { get; } = [];

    public List<string> OtherUsersIds { get; } = [];

    public List<string> ETags { get; } = [];

    public List<string> Cursors { get; } = [];
}

/// <summary>A generated request and a short account of how it was made (for failure messages and counts).</summary>
public sealed record FuzzRequest(ApiOperation Operation, HttpMethod Method, string Url, byte[]? Body, string? ContentType, IReadOnlyList<(string Name, string Value)> Headers, string How)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Url);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Body.Length > 300 ? $"{Body.Length} bytes: {Encoding.UTF8.GetString(Body, 0, 300)}…" : Encoding.UTF8.GetString(Body);
        return $"{Method} {(Url.Length > 300 ? Url[..300] + "…" : Url)} [{How}] Content-Type: {ContentType ?? "(none)"}; {string.Join("; ", Headers.Select(h => $"{h.Name}: {h.Value}"))}; {body}";
    }
}

/// <summary>
/// Generates requests for any operation of the OpenAPI document: valid-ish values from its schemas,
/// then mutated — fields dropped, duplicated or retyped, numbers at and past their bounds, huge and
/// blank strings, 100-level nesting, invalid UTF-8, wrong or missing content types, garbage route
/// values and odd headers. Deterministic for a seed.
/// </summary>
public sealed class RequestFuzzer(SchemaSampler sampler)
{
    private Random Random => sampler.Random;

    private static readonly string[] GarbageRouteValues =
    [
        "", " ", "0", "-1", "null", "undefined", "{id}", "%00", "%2e%2e", "..%2F..%2Fhealth", "a%2Fb", "%C3%28", "%FF%FE", "ü",
        "00000000-0000-0000-0000-000000000000", "6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a1", "6f1c1a8e-3a57-4d39-a54b-6b7b4b7e2a11x",
        "' OR 1=1 --", "%27%20OR%201%3D1", "<script>", "%3Cscript%3E", new string('9', 300), new string('a', 2000), "$ne", "%24where",
    ];

    private static readonly string[] OddContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
        "application/jsonx", "json", "application/", "*/*", "application/problem+json", "application/merge-patch+json", "APPLICATION/JSON", ";;;",
    ];

    private static readonly string[] GarbageIfMatch =
    [
        "*", "\"\"", "garbage", "\"unterminated", "W/\"0x8D\"", "\"a\", \"b\", *", ",,,", new string('"', 50), "\"" + new string('x', 4000) + "\"", " ", "null",
    ];

    private static readonly string[] RawBodies =
    [
        "", " ", "null", "[]", "123", "\"text\"", "true", "{", "}", "{\"a\":1,}", "/*c*/{}", "{'a':1}", "NaN", "{\"a\":NaN}", "<xml/>",
        "a=b&c=d", "\uFEFF{}", "{}{}", "{\"\":1}", "{\"a\":1e400}", "[{}]", "{\"__proto__\":{}}", "\u0000",
    ];

    public FuzzRequest Next(ApiOperation operation, FuzzTargets targets)
    {
        var how = new List<string>();
        var url = operation.Path(p => RouteValue(p, targets, how)) + Query(operation, targets, how);
        var headers = Headers(operation, targets, how);
        byte[]? body = null;
        string? contentType = null;
        if (operation.BodySchema is not null || (operation.IsWrite && Random.Next(20) == 0))
        {
            body = Body(operation, how);
            contentType = ContentType(how);
        }

        return new FuzzRequest(operation, new HttpMethod(operation.Method), url, body, contentType, headers, string.Join(", ", how));
    }

    // ---- Route values ----

    private string RouteValue(ApiParameter parameter, FuzzTargets targets, List<string> how)
    {
        var isId = parameter.Schema["format"]?.GetValue<string>() == "uuid";
        var roll = Random.Next(100);
        if (isId && roll < 45 && targets.OwnIds.Count > 0)
        {
            var id = Pick(targets.OwnIds);
            how.Add($"{parameter.Name}=own");
            return Random.Next(10) == 0 ? Guid.Parse(id).ToString(Random.Next(2) == 0 ? "N" : "B").ToUpperInvariant() : id;
        }

        if (isId && roll < 60 && targets.OtherUsersIds.Count > 0)
        {
            var id = Pick(targets.OtherUsersIds);
            how.Add($"{parameter.Name}=other-user");
            return Random.Next(5) == 0 ? Guid.Parse(id).ToString("N").ToUpperInvariant() : id;
        }

        if (roll < 70)
        {
            how.Add($"{parameter.Name}=random");
            return Uri.EscapeDataString(sampler.Valid(parameter.Schema)?.ToString() ?? "x");
        }

        how.Add($"{parameter.Name}=garbage");
        var garbage = Pick(GarbageRouteValues);
        return garbage.Length == 0 ? "%20" : garbage;
    }

    // ---- Query strings ----

    private string Query(ApiOperation operation, FuzzTargets targets, List<string> how)
    {
        var pairs = new List<string>();
        foreach (var parameter in operation.QueryParameters)
        {
            if (!parameter.Required && Random.Next(3) != 0)
            {
                continue;
            }

            var values = Random.Next(10) == 0 ? 2 : 1;
            for (var i = 0; i < values; i++)
            {
                pairs.Add($"{Uri.EscapeDataString(parameter.Name)}={QueryValue(parameter, targets, how)}");
            }
        }

        if (Random.Next(15) == 0)
        {
            how.Add("unknown-query");
            pairs.Add(Random.Next(2) == 0 ? "unknown=%00%FF" : "$filter=userId%20ne%20null&userId=" + Guid.NewGuid());
        }

        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }

    private string QueryValue(ApiParameter parameter, FuzzTargets targets, List<string> how)
    {
        var schema = ApiOperation.Resolve(parameter.Schema);
        var roll = Random.Next(100);
        if (roll < 50)
        {
            if (parameter.Name.Contains("cursor", StringComparison.OrdinalIgnoreCase) && targets.Cursors.Count > 0)
            {
                var cursor = Pick(targets.Cursors);
                how.Add("cursor=" + (Random.Next(2) == 0 ? "given" : "tampered"));
                return Uri.EscapeDataString(Random.Next(2) == 0 ? cursor : Tamper(cursor));
            }

            how.Add($"{parameter.Name}=valid");
            return Uri.EscapeDataString(sampler.Valid(parameter.Schema, parameter.Name) is { } v ? Scalar(v) : "");
        }

        how.Add($"{parameter.Name}=mutated");
        string[] candidates =
        [
            "", " ", "%00", "%FF%FE", "abc", "-1", "0", "1.5", "1e9", "99999999999999999999", "true", "null", "[]", "{}", "%3Cx%3E",
            Uri.EscapeDataString(new string('z', Random.Next(1, 6000))), Uri.EscapeDataString(Tamper(Guid.NewGuid().ToString())),
            "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31T23:59:59Z", "2026-03-02T25:00:00Z", "2026-03-02T09:00:00", "2026-03-02T09:00:00%2B14:00",
            ..Bounds(schema),
        ];
        return Pick(candidates);
    }

    private static IEnumerable<string> Bounds(JsonNode schema)
    {
        if (schema["minimum"]?.GetValue<long>() is { } min)
        {
            yield return (min - 1).ToString(CultureInfo.InvariantCulture);
            yield return min.ToString(CultureInfo.InvariantCulture);
        }

        if (schema["maximum"]?.GetValue<long>() is { } max)
        {
            yield return max.ToString(CultureInfo.InvariantCulture);
            yield return (max + 1).ToString(CultureInfo.InvariantCulture);
        }

        if (schema["maxLength"]?.GetValue<int>() is { } length)
        {
            yield return new string('q', length + 1);
        }
    }

    private string Tamper(string text)
    {
        if (text.Length == 0)
        {
            return "x";
        }

        var chars = text.ToCharArray();
        return Random.Next(4) switch
        {
            0 => text[..Random.Next(text.Length)],
            1 => text + Pick(["=", "==", "!", "A"]),
            2 => Convert.ToBase64String(Encoding.UTF8.GetBytes(Pick(["{}", "[", "{\"o\":1}", "null", "\"\"", "{\"id\":\"../x\"}", "\u0000"]))),
            _ => FlipOne(chars),
        };
    }

    private string FlipOne(char[] chars)
    {
        var i = Random.Next(chars.Length);
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    // ---- Headers ----

    private List<(string, string)> Headers(ApiOperation operation, FuzzTargets targets, List<string> how)
    {
        var headers = new List<(string, string)>();
        foreach (var parameter in operation.HeaderParameters)
        {
            var roll = Random.Next(10);
            if (roll < 4)
            {
                continue;
            }

            if (parameter.Name.Equals("If-Match", StringComparison.OrdinalIgnoreCase) && roll < 7 && targets.ETags.Count > 0)
            {
                how.Add("if-match=etag");
                headers.Add((parameter.Name, Pick(targets.ETags)));
            }
            else
            {
                how.Add($"{parameter.Name}=garbage");
                headers.Add((parameter.Name, Pick(GarbageIfMatch)));
            }
        }

        if (Random.Next(8) == 0)
        {
            var odd = Pick<(string, string)>(
            [
                ("traceparent", "00-garbage-garbage-01"), ("traceparent", "ff-" + new string('0', 32) + "-" + new string('0', 16) + "-00"),
                ("Accept", "application/xml"), ("Accept", "*/*;q=nonsense"), ("X-HTTP-Method-Override", "DELETE"), ("X-Forwarded-For", "' OR 1=1"),
                ("Accept-Language", new string('x', 2000)), ("Cookie", "session=../../etc/passwd"), ("If-None-Match", "*"), ("Range", "bytes=0-1"),
                ("X-Ms-Client-Principal-Id", Guid.NewGuid().ToString()), ("X-MS-CLIENT-PRINCIPAL", "eyJ1c2VySWQiOiJtYWxsb3J5In0="),
            ]);
            how.Add("header " + odd.Item1);
            headers.Add(odd);
        }

        return headers;
    }

    private string? ContentType(List<string> how)
    {
        var roll = Random.Next(100);
        if (roll < 82)
        {
            return "application/json";
        }

        if (roll < 86)
        {
            how.Add("no content type");
            return null;
        }

        var type = Pick(OddContentTypes);
        how.Add("content type " + type);
        return type;
    }

    // ---- Bodies ----

    private byte[] Body(ApiOperation operation, List<string> how)
    {
        var roll = Random.Next(100);
        var valid = operation.BodySchema is { } schema ? sampler.Valid(schema) as JsonObject ?? [] : [];
        if (roll < 30)
        {
            how.Add("body valid");
            return Encoding.UTF8.GetBytes(valid.ToJsonString());
        }

        if (roll < 80)
        {
            return Encoding.UTF8.GetBytes(Mutate(valid, operation.BodySchema, how));
        }

        return Raw(valid, how);
    }

    private string Mutate(JsonObject body, JsonNode? schema, List<string> how)
    {
        var properties = schema is null ? null : ApiOperation.Resolve(schema)["properties"] as JsonObject;
        var names = properties?.Select(p => p.Key).ToList() ?? [];
        var name = names.Count > 0 ? Pick(names) : "field";
        var propertySchema = properties?[name] is { } p ? ApiOperation.Resolve(p) : new JsonObject();
        switch (Random.Next(12))
        {
            case 0:
                how.Add($"drop {name}");
                body.Remove(name);
                break;
            case 1:
                how.Add($"retype {name}");
                body[name] = Pick<JsonNode?>([JsonValue.Create(42), JsonValue.Create("42"), JsonValue.Create(true), new JsonArray(1, 2), new JsonObject { ["x"] = 1 }, null, JsonValue.Create(-0.0), JsonValue.Create(1.5)]);
                break;
            case 2:
                how.Add($"bound {name}");
                body[name] = Boundary(propertySchema, name);
                break;
            case 3:
                how.Add($"huge {name}");
                body[name] = new string('h', Pick([10_001, 20_000, 60_000, 70_000]));
                break;
            case 4:
                how.Add($"blank {name}");
                body[name] = Pick(["", " ", "\t\n", "\u00a0", "\u200b", "\u0000"]);
                break;
            case 5:
                // Spliced as text: the test's own JSON nodes stop at 64 levels.
                how.Add($"nested {name}");
                body.Remove(name);
                var rest = body.ToJsonString();
                return $"{{\"{name}\":{Nested(Pick([10, 31, 32, 33, 100]))}{(rest.Length > 2 ? "," : "")}{rest[1..]}";
            case 6:
                how.Add("server-owned fields");
                body["id"] = Guid.NewGuid().ToString();
                body["userId"] = Guid.NewGuid().ToString();
                body["status"] = "Completed";
                body["createdAt"] = "2000-01-01T00:00:00Z";
                body["rescheduleHistory"] = new JsonArray(new JsonObject { ["previousDateTime"] = "x" });
                body["thankYouNoteSent"] = true;
                break;
            case 7:
                how.Add($"duplicate {name}");
                var json = body.ToJsonString();
                return json.Length > 1 ? $"{{\"{name}\":{(body[name]?.ToJsonString() ?? "null")},{json[1..]}" : json;
            case 8:
                how.Add($"array of {name}");
                body[name] = new JsonArray([.. Enumerable.Range(0, Pick([0, 1, 5, 21, 200])).Select(i => (JsonNode?)JsonValue.Create(i % 3 == 0 ? null : $"item{i}"))]);
                break;
            case 9:
                how.Add($"unicode {name}");
                body[name] = Pick(["😀😀😀", "\ud800", "e\u0301", "\u202Eevil", "%00", "${jndi:ldap://x}", "'; DROP TABLE documents; --", "\\u0000"]);
                break;
            case 10:
                how.Add("unknown fields");
                body["__proto__"] = new JsonObject { ["polluted"] = true };
                body[new string('k', 300)] = 1;
                break;
            default:
                how.Add("all fields null");
                foreach (var n in names)
                {
                    body[n] = null;
                }

                break;
        }

        return body.ToJsonString();
    }

    private JsonNode? Boundary(JsonNode schema, string name)
    {
        var candidates = new List<JsonNode?> { JsonValue.Create(int.MaxValue), JsonValue.Create(int.MinValue), JsonValue.Create(long.MaxValue), JsonValue.Create(1e308), JsonValue.Create(0) };
        if (schema["minimum"]?.GetValue<long>() is { } min)
        {
            candidates.AddRange([JsonValue.Create(min - 1), JsonValue.Create(min)]);
        }

        if (schema["maximum"]?.GetValue<long>() is { } max)
        {
            candidates.AddRange([JsonValue.Create(max), JsonValue.Create(max + 1)]);
        }

        if (schema["maxLength"]?.GetValue<int>() is { } length)
        {
            candidates.AddRange([JsonValue.Create(new string('m', length)), JsonValue.Create(new string('m', length + 1)), JsonValue.Create($"  {new string('m', length)}  ")]);
        }

        if (schema["maxItems"]?.GetValue<int>() is { } items)
        {
            candidates.Add(new JsonArray([.. Enumerable.Range(0, items + 1).Select(i => (JsonNode?)JsonValue.Create($"{name}{i}@example.com"))]));
        }

        if (SchemaSampler.TypesOf(schema).Contains("string") || schema["allOf"] is not null)
        {
            candidates.AddRange([
                JsonValue.Create("0001-01-01T00:00:00Z"), JsonValue.Create("9999-12-31T23:59:59Z"), JsonValue.Create("2026-03-08T02:30"),
                JsonValue.Create("2026-11-01T01:30"), JsonValue.Create("2026-03-02T09:00:00+25:00"), JsonValue.Create(sampler.Instant()),
                JsonValue.Create("2026-03-02T09:00:00.0000001Z"), JsonValue.Create("1e3"),
            ]);
        }

        return Pick(candidates);
    }

    private byte[] Raw(JsonObject valid, List<string> how)
    {
        switch (Random.Next(6))
        {
            case 0:
                how.Add("raw");
                return Encoding.UTF8.GetBytes(Pick(RawBodies));
            case 1:
                var depth = Pick([100, 1000, 5000]);
                how.Add($"nested {depth}");
                return Encoding.UTF8.GetBytes(Random.Next(2) == 0 ? Nested(depth) : string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth)));
            case 2:
                how.Add("invalid UTF-8");
                var json = Encoding.UTF8.GetBytes(valid.Count > 0 ? valid.ToJsonString() : "{\"a\":\"b\"}");
                var at = Array.IndexOf(json, (byte)'"', 2);
                byte[] bad = Pick<byte[]>([[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x80]]);
                return at < 0 ? bad : [.. json[..(at + 1)], .. bad, .. json[(at + 1)..]];
            case 3:
                how.Add("huge body");
                return Encoding.UTF8.GetBytes("{\"x\":\"" + new string('h', Pick([65_000, 66_000, 200_000])) + "\"}");
            case 4:
                how.Add("truncated");
                var text = valid.ToJsonString();
                return Encoding.UTF8.GetBytes(text[..Random.Next(text.Length)]);
            default:
                how.Add("random bytes");
                var bytes = new byte[Random.Next(1, 512)];
                Random.NextBytes(bytes);
                return bytes;
        }
    }

    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static string Scalar(JsonNode value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();

    private T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];
}

/// <summary>Counts of answers, by operation and status.</summary>
public sealed class FuzzTally
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byStatus = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byOperation = new(StringComparer.Ordinal);

    public int Total => _byStatus.Values.Sum();

    public IReadOnlyDictionary<string, int> ByStatus => _byStatus;

    public IReadOnlyDictionary<string, int> ByOperation => _byOperation;

    public void Add(ApiOperation operation, int status)
    {
        _byStatus.AddOrUpdate(status.ToString(CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
        _byOperation.AddOrUpdate(operation.ToString(), 1, (_, n) => n + 1);
    }

    public string Describe() =>
        $"by status: {string.Join(", ", _byStatus.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value:N0}"))}\n" +
        $"by operation: {string.Join(", ", _byOperation.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value:N0}"))}";
}

internal static class MediaTypes
{
    public static string? Of(HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType;

    public static bool IsProblem(MediaTypeHeaderValue? type) => type?.MediaType == "application/problem+json";
}
