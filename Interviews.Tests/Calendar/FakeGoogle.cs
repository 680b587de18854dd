using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using WireMock;

namespace Interviews.Tests.Calendar;

/// <summary>A Google watch channel as the fake holds it: what the service asked for, and the messages sent on it so far.</summary>
public sealed record FakeChannel(string Id, string? Token, string Address, string ResourceId, DateTimeOffset Expiration)
{
    public long Messages { get; set; }
}

/// <summary>
/// Google's token and revocation endpoints and Calendar API v3 (primary calendar: insert, update, delete,
/// incremental list with sync tokens, <c>events.watch</c> and <c>channels.stop</c>). A test plays Google's
/// push by <see cref="NotifyAsync"/>, which posts to the service the headers Google sends.
/// </summary>
public sealed class FakeGoogle() : FakeProvider("candidate@gmail.test")
{
    private const string Events = "/calendar/v3/calendars/primary/events";
    private readonly Dictionary<string, JsonObject> _events = new(StringComparer.Ordinal);
    private readonly List<string> _changes = [];
    private readonly List<FakeChannel> _channels = [];

    /// <summary>The channels open now (watched and not stopped).</summary>
    public IReadOnlyList<FakeChannel> Channels
    {
        get
        {
            lock (Lock)
            {
                return [.. _channels];
            }
        }
    }

    /// <summary>The ids of the channels stopped with <c>channels.stop</c>, in order.</summary>
    public List<string> StoppedChannels { get; } = [];

    /// <summary>
    /// Google's push on <paramref name="channel"/>: a POST with no body to its address (on the service under test,
    /// at <paramref name="service"/>'s base), with the channel's id and token, the state and the next message number.
    /// </summary>
    public static async Task<HttpResponseMessage> NotifyAsync(HttpClient service, FakeChannel channel, string state = "exists", long? messageNumber = null, string? token = null, string? channelId = null)
    {
        var number = messageNumber ?? ++channel.Messages;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(channel.Address).PathAndQuery) { Content = new ByteArrayContent([]) };
        request.Headers.Add("X-Goog-Channel-ID", channelId ?? channel.Id);
        if ((token ?? channel.Token) is { } secret)
        {
            request.Headers.Add("X-Goog-Channel-Token", secret);
        }

        request.Headers.Add("X-Goog-Resource-ID", channel.ResourceId);
        request.Headers.Add("X-Goog-Resource-URI", "https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json");
        request.Headers.Add("X-Goog-Resource-State", state);
        request.Headers.Add("X-Goog-Message-Number", number.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-Goog-Channel-Expiration", channel.Expiration.ToString("R", CultureInfo.InvariantCulture));
        return await service.SendAsync(request, TestContext.Current.CancellationToken);
    }

    protected override string TokenPath => "/token";

    /// <summary>Answers the next request with a sync token 410 Gone.</summary>
    public bool ExpireSyncTokens { get; set; }

    public int Inserts { get; private set; }

    /// <summary>The live (not deleted) events.</summary>
    public IReadOnlyList<JsonObject> LiveEvents
    {
        get
        {
            lock (Lock)
            {
                return [.. _events.Values.Where(e => e["status"]?.GetValue<string>() != "cancelled").Select(e => (JsonObject)e.DeepClone())];
            }
        }
    }

    public JsonObject? Event(string id)
    {
        lock (Lock)
        {
            return _events.TryGetValue(id, out var e) ? (JsonObject)e.DeepClone() : null;
        }
    }

    /// <summary>The user drags the event to another time in Google Calendar.</summary>
    public void MoveByUser(string id, DateTimeOffset start)
    {
        lock (Lock)
        {
            var e = _events[id];
            var minutes = (DateTimeOffset.Parse(e["end"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture) - DateTimeOffset.Parse(e["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture)).TotalMinutes;
            e["start"] = new JsonObject { ["dateTime"] = start.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" };
            e["end"] = new JsonObject { ["dateTime"] = start.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" };
            _changes.Add(id);
        }
    }

    /// <summary>The user deletes the event in Google Calendar.</summary>
    public void DeleteByUser(string id)
    {
        lock (Lock)
        {
            _events[id]["status"] = "cancelled";
            _changes.Add(id);
        }
    }

    protected override IResponseMessage HandleApi(IRequestMessage request)
    {
        var path = request.Path;
        if (request.Method == "POST" && path == Events + "/watch")
        {
            var watch = JsonNode.Parse(request.Body!)!.AsObject();
            var channelId = watch["id"]!.GetValue<string>();
            if (watch["type"]?.GetValue<string>() != "web_hook" || watch["address"] is null || _channels.Any(c => c.Id == channelId))
            {
                return Json(400, new JsonObject { ["error"] = new JsonObject { ["code"] = 400, ["message"] = "channelIdNotUnique or bad request" } });
            }

            var expiration = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(watch["expiration"]!.ToString(), CultureInfo.InvariantCulture));
            var channel = new FakeChannel(channelId, watch["token"]?.GetValue<string>(), watch["address"]!.GetValue<string>(), $"res-{Guid.NewGuid():N}", expiration);
            _channels.Add(channel);
            return Json(200, new JsonObject
            {
                ["kind"] = "api#channel",
                ["id"] = channel.Id,
                ["resourceId"] = channel.ResourceId,
                ["resourceUri"] = "https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json",
                ["token"] = channel.Token,
                ["expiration"] = channel.Expiration.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            });
        }

        if (request.Method == "POST" && path == "/calendar/v3/channels/stop")
        {
            var stop = JsonNode.Parse(request.Body!)!.AsObject();
            var removed = _channels.RemoveAll(c => c.Id == stop["id"]?.GetValue<string>() && c.ResourceId == stop["resourceId"]?.GetValue<string>());
            if (removed == 0)
            {
                return Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = 404, ["message"] = "Channel not found" } });
            }

            StoppedChannels.Add(stop["id"]!.GetValue<string>());
            return Empty((int)HttpStatusCode.NoContent);
        }

        if (!path.StartsWith(Events, StringComparison.Ordinal))
        {
            return Json(404, new JsonObject { ["error"] = "not found" });
        }

        var id = path.Length > Events.Length ? Uri.UnescapeDataString(path[(Events.Length + 1)..]) : null;
        switch (request.Method)
        {
            case "POST" when id is null:
                var created = JsonNode.Parse(request.Body!)!.AsObject();
                var newId = created["id"]!.GetValue<string>();
                if (_events.ContainsKey(newId))
                {
                    return Json(409, new JsonObject { ["error"] = new JsonObject { ["code"] = 409, ["message"] = "The requested identifier already exists." } });
                }

                Inserts++;
                _events[newId] = created;
                _changes.Add(newId);
                return Json(200, created);
            case "PUT" when id is not null:
                if (!_events.TryGetValue(id, out var existing) || existing["status"]?.GetValue<string>() == "cancelled")
                {
                    return Json(404, new JsonObject { ["error"] = "Not Found" });
                }

                var replaced = JsonNode.Parse(request.Body!)!.AsObject();
                _events[id] = replaced;
                _changes.Add(id);
                return Json(200, replaced);
            case "DELETE" when id is not null:
                if (!_events.TryGetValue(id, out var deleted) || deleted["status"]?.GetValue<string>() == "cancelled")
                {
                    return Json(410, new JsonObject { ["error"] = "Resource has been deleted" });
                }

                deleted["status"] = "cancelled";
                _changes.Add(id);
                return Empty(204);
            case "GET" when id is null:
                var syncToken = request.Query?.TryGetValue("syncToken", out var tokens) == true ? tokens.FirstOrDefault() : null;
                if (syncToken is not null && ExpireSyncTokens)
                {
                    ExpireSyncTokens = false;
                    return Json(410, new JsonObject { ["error"] = new JsonObject { ["code"] = 410, ["message"] = "Sync token is no longer valid, a full sync is required." } });
                }

                var since = syncToken is null ? 0 : int.Parse(syncToken[1..], CultureInfo.InvariantCulture);
                var ids = syncToken is null ? _events.Keys.ToList() : _changes.Skip(since).Distinct().ToList();
                var items = new JsonArray([.. ids.Select(i => (JsonNode)_events[i].DeepClone())]);
                return Json(200, new JsonObject { ["kind"] = "calendar#events", ["items"] = items, ["nextSyncToken"] = $"s{_changes.Count}" });
            default:
                return Json(405, new JsonObject { ["error"] = "method" });
        }
    }
}
