using System.Reflection;
using System.Text.Json.Nodes;
using Interviews.Domain;
using Interviews.Functions.Interviews;
using Interviews.Functions.Calendar;
using Interviews.Functions.Http;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>
/// What a gateway validating against the contract lets through is what the service accepts, and back:
/// the request enums of the document are exactly the spellings the service's parsers take, and every
/// array of a request body has the maxItems that the service's bounded reader enforces. Both are read
/// from the document, not copied by hand.
/// </summary>
public sealed class RequestContractParityTests
{
    private static readonly OpenApiContract Contract = OpenApiContract.Instance;

    /// <summary>The service's parser of each request field whose schema is an enum.</summary>
    private static readonly Dictionary<string, Func<string, bool>> Parsers = new(StringComparer.Ordinal)
    {
        ["interviewType"] = text => InterviewTypes.TryParse(text, out _),
        ["status"] = text => InterviewStatuses.TryParse(text, out _),
        ["initiatedBy"] = text => EnumNames.TryParse<RescheduleInitiator>(text, out _),
        ["method"] = text => EnumNames.TryParse<ThankYouMethod>(text, out _),
        ["outcome"] = text => InterviewOutcomes.TryParse(text, out _),
        ["provider"] = CalendarProviders.IsKnown,
    };

    [Fact]
    public void Every_request_enum_of_the_contract_is_exactly_what_the_service_parses()
    {
        var enums = RequestEnums().ToList();
        Assert.NotEmpty(enums);
        Assert.Equal(enums.Select(e => e.Field).Distinct().Order(StringComparer.Ordinal), Parsers.Keys.Order(StringComparer.Ordinal));
        var everyValue = enums.SelectMany(e => e.Values).Distinct().ToList();
        foreach (var (where, field, values) in enums)
        {
            // The contract's values, other spellings of them, and every other enum's values.
            var candidates = values.SelectMany(Variants).Concat(everyValue).Concat(["", " ", "0", "1", "+1", string.Join(',', values)]).Distinct(StringComparer.Ordinal);
            var accepted = candidates.Where(Parsers[field]).Order(StringComparer.Ordinal).ToList();
            Assert.True(values.Order(StringComparer.Ordinal).SequenceEqual(accepted), $"{where}: the contract lists [{string.Join(", ", values)}], the service accepts [{string.Join(", ", accepted)}].");
        }
    }

    [Fact]
    public void Every_array_of_a_request_body_has_maxItems_and_the_service_reads_it_into_a_list_bounded_by_it()
    {
        var arrays = 0;
        foreach (var (schemaName, property, schema) in RequestBodyProperties())
        {
            if (!Types(schema).Contains("array"))
            {
                continue;
            }

            arrays++;
            var maxItems = schema["maxItems"]?.GetValue<int>();
            Assert.True(maxItems is not null, $"{schemaName}.{property} has no maxItems.");
            var record = typeof(InterviewsApi).Assembly.GetExportedTypes().Single(t => t.Name == schemaName);
            var type = record.GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)!.PropertyType;
            Assert.True(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(BoundedList<,>), $"{schemaName}.{property} is read as {type.Name}, not as a bounded list.");
            Assert.Equal(maxItems, (int)type.GetGenericArguments()[1].GetProperty(nameof(IItemLimit.Max))!.GetValue(null)!);
        }

        Assert.Equal(8, arrays);
    }

    [Fact]
    public void Every_field_a_request_can_name_is_a_typed_member_of_the_validation_errors()
    {
        // Clients without maps (Kiota) type the errors of exactly these fields.
        var declared = Resolve(JsonNode.Parse("""{"$ref":"#/components/schemas/ValidationErrors"}""")!)["properties"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var fields = RequestBodyProperties().Select(p => p.Property)
            .Concat(Parameters().Where(p => p["in"]!.GetValue<string>() is "query" or "header" && p["name"]!.GetValue<string>() != "If-Match").Select(p => p["name"]!.GetValue<string>()))
            .Append("body").ToHashSet(StringComparer.Ordinal);
        Assert.Empty(fields.Except(declared));
    }

    /// <summary>
    /// The calendar webhooks take what Google and Graph send (X-Goog-* headers, Graph's notification batches,
    /// validationToken) and answer every request the same, never with a validation error: their fields are
    /// the providers' and none is parsed into a request record, so they are not the service's request fields.
    /// </summary>
    public const string WebhookTag = "Calendar webhooks";

    private static bool IsWebhook(JsonNode operation) => operation["tags"]?.AsArray().Any(t => t?.GetValue<string>() == WebhookTag) == true;

    [Fact]
    public void The_webhooks_are_the_only_operations_that_take_the_providers_headers()
    {
        var webhookHeaders = (
            from item in Contract.Document["paths"]!.AsObject()
            from entry in item.Value!.AsObject()
            where entry.Key != "parameters" && IsWebhook(entry.Value!)
            from parameter in entry.Value!["parameters"]?.AsArray() ?? []
            where parameter!["in"]!.GetValue<string>() == "header"
            select parameter!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["X-Goog-Channel-ID", "X-Goog-Channel-Token", "X-Goog-Resource-State", "X-Goog-Message-Number"], webhookHeaders.Take(4));
        Assert.DoesNotContain(Parameters(), p => p["name"]!.GetValue<string>().StartsWith("X-Goog-", StringComparison.Ordinal));
    }

    private static IEnumerable<JsonNode> Parameters() =>
        from item in Contract.Document["paths"]!.AsObject()
        from entry in item.Value!.AsObject()
        where entry.Key == "parameters" || !IsWebhook(entry.Value!)
        from parameter in (entry.Key == "parameters" ? entry.Value!.AsArray() : entry.Value!["parameters"]?.AsArray() ?? [])
        select Resolve(parameter!);

    private static IEnumerable<string> Variants(string value) =>
    [
        value, value.ToLowerInvariant(), value.ToUpperInvariant(), " " + value, value + " ",
        value.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal),
        value.Replace(" ", "-", StringComparison.Ordinal), value.Replace("-", " ", StringComparison.Ordinal), value.Replace(" ", "_", StringComparison.Ordinal),
        string.Concat(value.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + c : c.ToString())),
    ];

    /// <summary>Every enum a request may carry: body properties, query and path parameters.</summary>
    private static IEnumerable<(string Where, string Field, List<string> Values)> RequestEnums()
    {
        foreach (var (schemaName, property, schema) in RequestBodyProperties())
        {
            if (EnumOf(schema) is { } values)
            {
                yield return ($"{schemaName}.{property}", property, values);
            }
        }

        foreach (var parameter in Parameters())
        {
            if (parameter["in"]!.GetValue<string>() != "header" && EnumOf(parameter["schema"]!) is { } values)
            {
                yield return ($"parameter {parameter["name"]} ({parameter["in"]})", parameter["name"]!.GetValue<string>(), values);
            }
        }
    }

    private static IEnumerable<(string Schema, string Property, JsonNode Node)> RequestBodyProperties()
    {
        var schemas = Contract.Document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Key != "parameters" && !IsWebhook(o.Value!)))
            .Select(o => o.Value!["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>())
            .OfType<string>().Distinct().Order(StringComparer.Ordinal);
        foreach (var reference in schemas)
        {
            var name = reference.Split('/')[^1];
            foreach (var (property, schema) in Resolve(JsonNode.Parse($$"""{"$ref":"{{reference}}"}""")!)["properties"]!.AsObject())
            {
                yield return (name, property, Resolve(schema!));
            }
        }
    }

    private static List<string>? EnumOf(JsonNode schema)
    {
        schema = Resolve(schema);
        return schema["enum"] is JsonArray values ? [.. values.OfType<JsonNode>().Select(v => v.GetValue<string>())] : null;
    }

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => t!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    private static JsonNode Resolve(JsonNode node)
    {
        while (node is JsonObject o && o["$ref"]?.GetValue<string>() is { } reference)
        {
            node = reference[2..].Split('/').Aggregate((JsonNode)Contract.Document, (current, segment) => current[segment]!);
        }

        return node;
    }
}
