using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Interviews.Functions.Http;

/// <summary>A JSON response with the API's serializer settings and optional ETag and Location headers.</summary>
public sealed class JsonResult<T>(T value, int status = StatusCodes.Status200OK, string? etag = null, string? location = null) : IResult
{
    public T Value => value;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (etag is not null)
        {
            response.Headers.ETag = etag;
        }

        if (location is not null)
        {
            response.Headers.Location = location;
        }

        await JsonSerializer.SerializeAsync(response.Body, value, ApiJson.Options, httpContext.RequestAborted);
    }
}

/// <summary>
/// A list page of items that are JSON already: <c>{"items":[…],"nextCursor":…}</c>, each item's bytes
/// copied as they are. The items are not parsed again: they are JSON this service serialized itself.
/// </summary>
public sealed class ListPageResult(IReadOnlyList<byte[]> items, string? nextCursor) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        Write(response.BodyWriter, items, nextCursor);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>The page's JSON.</summary>
    public static void Write(System.Buffers.IBufferWriter<byte> output, IReadOnlyList<byte[]> items, string? nextCursor)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = ApiJson.Options.Encoder, SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteStartArray("items");
        foreach (var item in items)
        {
            writer.WriteRawValue(item, skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.WriteString("nextCursor", nextCursor);
        writer.WriteEndObject();
    }
}

/// <summary>The If-Match precondition of a write (RFC 9110 §13.1.1, strong comparison).</summary>
public sealed record IfMatch(bool Present, bool Any, IReadOnlyList<string> ETags)
{
    public static IfMatch None { get; } = new(false, false, []);

    public static IfMatch From(HttpRequest request)
    {
        var values = request.Headers.IfMatch;
        if (values.Count == 0 || values.All(string.IsNullOrWhiteSpace))
        {
            return None;
        }

        if (!EntityTagHeaderValue.TryParseList(values, out var tags))
        {
            // An unparsable precondition can match nothing.
            return new IfMatch(true, false, []);
        }

        return new IfMatch(true, tags.Any(t => t.Equals(EntityTagHeaderValue.Any)), [.. tags.Where(t => !t.IsWeak).Select(t => t.Tag.ToString())]);
    }

    public bool Matches(string etag) => !Present || Any || ETags.Contains(etag, StringComparer.Ordinal);
}

/// <summary>Opaque page cursors: a keyset position (the last item's order value and id), base64url-encoded.</summary>
public static class Cursors
{
    /// <summary>The cursor of a position; null when there is none (the last page).</summary>
    public static string? Encode(string? orderValue, string? id) =>
        orderValue is null || id is null ? null : Base64Url(JsonSerializer.SerializeToUtf8Bytes(new[] { orderValue, id }));

    public static bool TryDecode(string text, out (string OrderValue, string Id) position)
    {
        position = default;
        try
        {
            if (text.Length > 512)
            {
                return false;
            }

            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = JsonSerializer.Deserialize<string[]>(Convert.FromBase64String(padded));
            if (parts is not [{ } order, { } id])
            {
                return false;
            }

            position = (order, id);
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            return false;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
