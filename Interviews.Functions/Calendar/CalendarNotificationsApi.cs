using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Calendar;

/// <summary>
/// The providers' push webhooks (anonymous: the providers send no bearer token; the channel's secret is
/// checked instead, <see cref="CalendarPush"/>). Each answers the same whatever the notification was — valid,
/// forged, replayed, for an unknown channel, or with push off — so an answer never tells whether a channel
/// exists: Google always 200 with no body, Graph always 202 (but for the validation handshake, which echoes
/// the token). Bodies are read up to <see cref="MaxBodyBytes"/>; beyond that the rest is not looked at.
/// </summary>
public sealed class CalendarNotificationsApi(CalendarPush push)
{
    /// <summary>Graph batches change notifications without resource data at well under a kilobyte each.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Graph's validation tokens are short; a longer one is not Graph's.</summary>
    public const int MaxValidationTokenLength = 1024;

    /// <summary>At most this many values of one Graph batch are looked at.</summary>
    public const int MaxBatch = 1000;

    [AllowAnonymous]
    [Function("GoogleCalendarNotification")]
    public async Task<IResult> Google(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CalendarSettings.GoogleNotificationsRoute)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var headers = request.Headers;
        await push.OnGoogleAsync(
            new PushNotification(Single(headers["X-Goog-Channel-ID"]), Single(headers["X-Goog-Channel-Token"])),
            Single(headers["X-Goog-Resource-State"]),
            Single(headers["X-Goog-Message-Number"]),
            cancellationToken);
        return Results.Ok();
    }

    [AllowAnonymous]
    [Function("MicrosoftCalendarNotification")]
    public Task<IResult> Microsoft(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CalendarSettings.MicrosoftNotificationsRoute)] HttpRequest request,
        CancellationToken cancellationToken) =>
        GraphAsync(request, lifecycle: false, cancellationToken);

    [AllowAnonymous]
    [Function("MicrosoftCalendarLifecycleNotification")]
    public Task<IResult> MicrosoftLifecycle(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CalendarSettings.MicrosoftLifecycleRoute)] HttpRequest request,
        CancellationToken cancellationToken) =>
        GraphAsync(request, lifecycle: true, cancellationToken);

    private async Task<IResult> GraphAsync(HttpRequest request, bool lifecycle, CancellationToken cancellationToken)
    {
        // Subscribing: Graph posts ?validationToken=… and wants it back as text/plain within 10 s.
        if (request.Query.TryGetValue("validationToken", out var validation))
        {
            return validation is [{ Length: > 0 and <= MaxValidationTokenLength } token] ? new PlainTextResult(token) : Results.StatusCode(StatusCodes.Status202Accepted);
        }

        if (await ReadBoundedAsync(request, cancellationToken) is { } body)
        {
            await push.OnGraphAsync(Notifications(body, lifecycle), cancellationToken);
        }

        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    /// <summary>The batch's values (<c>{"value":[{"subscriptionId":…,"clientState":…,"lifecycleEvent":…}]}</c>); none when the body is not that.</summary>
    private static List<PushNotification> Notifications(byte[] body, bool lifecycle)
    {
        var found = new List<PushNotification>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("value", out var values) || values.ValueKind != JsonValueKind.Array)
            {
                return found;
            }

            foreach (var value in values.EnumerateArray().Take(MaxBatch))
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var lifecycleEvent = lifecycle ? Text(value, "lifecycleEvent") ?? "" : null;
                found.Add(new PushNotification(Text(value, "subscriptionId"), Text(value, "clientState"), lifecycleEvent));
            }
        }
        catch (JsonException)
        {
            // Not Graph's: nothing to do, and the same answer.
        }

        return found;
    }

    private static string? Text(JsonElement value, string property) =>
        value.TryGetProperty(property, out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;

    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenCount == 0 ? null : buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes)
            {
                return null;
            }
        }
    }

    /// <summary>The validation token back, as text/plain (never sniffed as anything else).</summary>
    private sealed class PlainTextResult(string text) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "text/plain; charset=utf-8";
            httpContext.Response.Headers.XContentTypeOptions = "nosniff";
            await httpContext.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), httpContext.RequestAborted);
        }
    }
}
