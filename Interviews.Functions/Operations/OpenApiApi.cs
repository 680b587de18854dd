using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Operations;

/// <summary>
/// Serves the API's OpenAPI 3.1 document, <c>openapi/openapi.json</c> of the repository, embedded in
/// this assembly: anonymous, so that tools and the interactive docs can read it.
/// </summary>
public sealed class OpenApiApi
{
    /// <summary>The manifest name of the embedded document (see the project file).</summary>
    public const string ResourceName = "Interviews.Functions.openapi.json";

    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(OpenApiApi).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The document's bytes, as served.</summary>
    public static ReadOnlyMemory<byte> DocumentBytes => Document.Value;

    [AllowAnonymous]
    [Function("OpenApiDocument")]
    public IResult Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        Results.Bytes(Document.Value, "application/json; charset=utf-8");
}
