using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Interviews.Functions.Calendar;

/// <summary>
/// Google Calendar API v3 over a typed HttpClient (its .NET client package is not available here). The
/// event id is the interview id in base32hex (Google's alphabet for client-chosen ids), so a repeated
/// create finds the first one (409) instead of making a duplicate; the interview id and version are also
/// tagged in <c>extendedProperties.private</c>. No attendees, no reminders, <c>sendUpdates=none</c>.
/// </summary>
public sealed class GoogleCalendarClient(HttpClient http, CalendarSettings settings) : ICalendarClient
{
    public const string InterviewIdProperty = "interviewsInterviewId";
    public const string VersionProperty = "interviewsVersion";

    public string Provider => CalendarProviders.Google;

    private string Events => $"{settings.Google.ApiBaseUrl.TrimEnd('/')}/calendars/primary/events";

    /// <summary>Base32hex (RFC 4648 §7, lower case, no padding) of the interview id's 16 bytes: 26 characters of [0-9a-v].</summary>
    public static string EventId(Guid interviewId)
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuv";
        var bytes = interviewId.ToByteArray(bigEndian: true);
        var text = new char[26];
        int buffer = 0, bits = 0, n = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text[n++] = alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        text[n] = alphabet[(buffer << (5 - bits)) & 31];
        return new string(text);
    }

    /// <summary>The interview id back from an event id this service made, or null for any other event.</summary>
    public static Guid? InterviewIdOf(string eventId)
    {
        if (eventId.Length != 26)
        {
            return null;
        }

        var bytes = new byte[16];
        int buffer = 0, bits = 0, n = 0;
        foreach (var c in eventId)
        {
            var value = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'v' ? c - 'a' + 10 : -1;
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8 && n < 16)
            {
                bytes[n++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }

        var id = new Guid(bytes, bigEndian: true);
        return EventId(id) == eventId ? id : null;
    }

    public async Task<string?> UpsertAsync(string accessToken, string? eventId, CalendarEventData data, CancellationToken cancellationToken)
    {
        var id = eventId ?? EventId(data.InterviewId);
        var body = Body(id, data);
        if (eventId is null)
        {
            using var created = await SendAsync(HttpMethod.Post, $"{Events}?sendUpdates=none", accessToken, body, cancellationToken);
            if (created.IsSuccessStatusCode)
            {
                return id;
            }

            if (created.StatusCode != HttpStatusCode.Conflict)
            {
                throw await CalendarApiException.FromAsync(Provider, created, cancellationToken);
            }

            // 409: this id exists already — an earlier attempt created it and crashed before remembering. Update it.
        }

        using var updated = await SendAsync(HttpMethod.Put, $"{Events}/{Uri.EscapeDataString(id)}?sendUpdates=none", accessToken, body, cancellationToken);
        if (updated.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            // Deleted in the calendar by the user before the service read that change.
            return null;
        }

        return updated.IsSuccessStatusCode ? id : throw await CalendarApiException.FromAsync(Provider, updated, cancellationToken);
    }

    public async Task DeleteAsync(string accessToken, string? eventId, Guid interviewId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"{Events}/{Uri.EscapeDataString(eventId ?? EventId(interviewId))}?sendUpdates=none", accessToken, null, cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Gone))
        {
            throw await CalendarApiException.FromAsync(Provider, response, cancellationToken);
        }
    }

    public async Task<CalendarChanges> ReadChangesAsync(string accessToken, string? cursor, CancellationToken cancellationToken)
    {
        var changes = new List<CalendarChange>();
        string? pageToken = null;
        while (true)
        {
            var query = new Dictionary<string, string?> { ["maxResults"] = "250", ["showDeleted"] = "true" };
            if (cursor is not null)
            {
                query["syncToken"] = cursor;
            }

            if (pageToken is not null)
            {
                query["pageToken"] = pageToken;
            }

            using var response = await SendAsync(HttpMethod.Get, QueryHelpers.AddQueryString(Events, query), accessToken, null, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                throw new SyncCursorExpiredException(Provider);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await CalendarApiException.FromAsync(Provider, response, cancellationToken);
            }

            var page = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
            foreach (var item in page["items"]?.AsArray() ?? [])
            {
                var id = item?["id"]?.GetValue<string>();
                if (id is null)
                {
                    continue;
                }

                var tagged = item!["extendedProperties"]?["private"]?[InterviewIdProperty]?.GetValue<string>();
                var interviewId = Guid.TryParse(tagged, out var parsed) ? parsed : InterviewIdOf(id);
                var removed = item["status"]?.GetValue<string>() == "cancelled";
                var start = item["start"]?["dateTime"]?.GetValue<string>() is { } text
                    ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                    : (DateTimeOffset?)null;
                changes.Add(new CalendarChange(id, removed, start, interviewId));
            }

            pageToken = page["nextPageToken"]?.GetValue<string>();
            if (pageToken is null)
            {
                var next = page["nextSyncToken"]?.GetValue<string>() ?? throw new CalendarApiException(Provider, 200, "no nextSyncToken on the last page");
                return new CalendarChanges(changes, next);
            }
        }
    }

    public async Task<PushChannel> WatchAsync(string accessToken, PushRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["id"] = request.ChannelId,
            ["type"] = "web_hook",
            ["address"] = request.Address.AbsoluteUri,
            ["token"] = request.Secret,
            // An int64 in Google's JSON: milliseconds since the epoch, as a string.
            ["expiration"] = request.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
        using var response = await SendAsync(HttpMethod.Post, $"{Events}/watch", accessToken, body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await CalendarApiException.FromAsync(Provider, response, cancellationToken);
        }

        var channel = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        var expiration = channel["expiration"]?.ToString() is { } ms && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? DateTimeOffset.FromUnixTimeMilliseconds(value)
            : request.ExpiresAt;
        return new PushChannel(request.ChannelId, channel["resourceId"]?.GetValue<string>(), expiration);
    }

    /// <summary>Google channels cannot be extended: a new one is watched and the old one stopped.</summary>
    public Task<DateTimeOffset?> RenewWatchAsync(string accessToken, PushChannel channel, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult<DateTimeOffset?>(null);

    public async Task StopWatchAsync(string accessToken, PushChannel channel, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["id"] = channel.Id, ["resourceId"] = channel.ResourceId };
        using var response = await SendAsync(HttpMethod.Post, $"{settings.Google.ApiBaseUrl.TrimEnd('/')}/channels/stop", accessToken, body, cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Gone))
        {
            throw await CalendarApiException.FromAsync(Provider, response, cancellationToken);
        }
    }

    private static JsonObject Body(string id, CalendarEventData data) => new()
    {
        ["id"] = id,
        ["summary"] = data.Title,
        ["description"] = data.Description,
        ["location"] = data.Location,
        ["start"] = Time(data.Start, data.TimeZone),
        ["end"] = Time(data.End, data.TimeZone),
        ["status"] = "confirmed",
        ["transparency"] = "opaque",
        // No provider-side reminders: the service sends its own.
        ["reminders"] = new JsonObject { ["useDefault"] = false, ["overrides"] = new JsonArray() },
        ["extendedProperties"] = new JsonObject
        {
            ["private"] = new JsonObject
            {
                [InterviewIdProperty] = data.InterviewId.ToString("D"),
                [VersionProperty] = data.Version.ToString(CultureInfo.InvariantCulture),
            },
        },
    };

    /// <summary>The wall-clock time in the interview's zone with its offset, and the zone, so that the event follows that zone's rules.</summary>
    private static JsonObject Time(DateTimeOffset instant, string zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(zone));
        return new JsonObject
        {
            ["dateTime"] = local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["timeZone"] = zone,
        };
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string accessToken, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CalendarApiException(Provider, 0, e.HttpRequestError.ToString());
        }
    }
}
