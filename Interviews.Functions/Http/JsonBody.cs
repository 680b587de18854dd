using System.Buffers;
using System.Text;
using System.Text.Json;
using Interviews.Domain;
using Microsoft.AspNetCore.Http;

namespace Interviews.Functions.Http;

/// <summary>
/// Reads a JSON request body: 415 unless it is JSON, 413 over <see cref="MaxBytes"/>, 400 for a
/// missing, malformed or mistyped body naming the field (from the reader's JSON path), and 400 for an
/// array longer than its <see cref="BoundedList{T, TLimit}"/> allows, as soon as its first extra element is read.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public static Task<BodyResult<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class => ReadAsync<T>(request, MaxBytes, cancellationToken);

    /// <summary>Reads a body of at most <paramref name="maxBytes"/> (an endpoint whose rules allow more than <see cref="MaxBytes"/>).</summary>
    public static async Task<BodyResult<T>> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!IsJson(request.ContentType))
        {
            return new(default, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the body as JSON with Content-Type: application/json."));
        }

        var read = await ReadBytesAsync(request, maxBytes, cancellationToken);
        if (read.Problem is not null)
        {
            return new(default, read.Problem);
        }

        var buffer = read.Value!;
        if (buffer.WrittenCount == 0)
        {
            return Invalid<T>("body", "A JSON body is required.");
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.WrittenSpan, ApiJson.Options);
            return value is null ? Invalid<T>("body", "The body must be a JSON object.") : new BodyResult<T>(value, null);
        }
        catch (TooManyItemsException exception)
        {
            return Invalid<T>(ArrayOf(FieldOf(exception.Path)), $"At most {exception.Max} items.");
        }
        catch (JsonException exception)
        {
            var field = FieldOf(exception.Path);
            return field is null
                ? Invalid<T>("body", "The body is not valid JSON.")
                : Invalid<T>(field, $"'{field}' has a value of the wrong type or format.");
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 inside a string surfaces here rather than as a JsonException.
            return Invalid<T>("body", "The body is not valid UTF-8 JSON.");
        }
    }

    /// <summary>
    /// The body's bytes, at most <paramref name="maxBytes"/>: a 413 as soon as the declared length or the
    /// bytes read go past it, so an oversized body is never held whole. For bodies of any media type.
    /// </summary>
    public static async Task<BodyResult<ArrayBufferWriter<byte>>> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return TooLarge<ArrayBufferWriter<byte>>(maxBytes);
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return new(buffer, null);
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return TooLarge<ArrayBufferWriter<byte>>(maxBytes);
            }
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>"$.interviewers[2]" → "interviewers[2]"; "$" or nothing → null (the body as a whole).</summary>
    private static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var field = new StringBuilder(path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$'));
        return field.Length == 0 ? null : field.ToString();
    }

    /// <summary>"interviewers[20]", the element that did not fit, → "interviewers", the array.</summary>
    private static string ArrayOf(string? element) =>
        element is null ? "body"
        : element.EndsWith(']') && element.LastIndexOf('[') is > 0 and var open ? element[..open]
        : element;

    private static BodyResult<T> TooLarge<T>(int maxBytes) =>
        new(default, Problems.Status(StatusCodes.Status413PayloadTooLarge, "body-too-large", $"The body must be at most {maxBytes / 1024} KB."));

    private static BodyResult<T> Invalid<T>(string field, string message) => new(default, Problems.From(Error.Validation(field, message)));

}

/// <summary>Either the body or the problem to answer with.</summary>
public readonly record struct BodyResult<T>(T? Value, IResult? Problem);
