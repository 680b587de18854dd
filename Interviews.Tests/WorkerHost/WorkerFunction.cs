using System.Text.Json;
using Interviews.Tests.WorkerHost.Protocol;

namespace Interviews.Tests.WorkerHost;

/// <summary>One function as the worker indexed it (its <c>functions.metadata</c> entry): the trigger binding the host drives it by.</summary>
internal sealed record WorkerFunction(string Name, string FunctionId, string TriggerType, string TriggerName, string? Route, IReadOnlyList<string>? Methods, RpcFunctionMetadata Metadata, string? QueueName = null)
{
    public bool IsQueue => TriggerType.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsTimer => TriggerType.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the trigger from the metadata's raw bindings (the JSON of <c>functions.metadata</c>).</summary>
    public static WorkerFunction From(RpcFunctionMetadata metadata)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            var type = Text(root, "type");
            if (type is null || !type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            IReadOnlyList<string>? methods = Property(root, "methods") is { ValueKind: JsonValueKind.Array } array
                ? [.. array.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())]
                : null;
            return new WorkerFunction(metadata.Name, metadata.FunctionId, type, Text(root, "name")!, Text(root, "route"), methods, metadata, Text(root, "queueName"));
        }

        throw new InvalidOperationException($"Function {metadata.Name} has no trigger binding in its metadata.");
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.EnumerateObject().Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
