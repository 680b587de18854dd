using System.Globalization;
using System.Text.Json.Nodes;
using WireMock;

namespace Interviews.Tests.Calendar;

/// <summary>Google's token and revocation endpoints and Calendar API v3 (primary calendar: insert, update, delete, incremental list with sync tokens).</summary>
public sealed class FakeGoogle() : FakeProvider("candidate@gmail.test")
{
    private const string Events = "/calendar/v3/calendars/primary/events";
    private readonly Dictionary<string, JsonObject> _events = new(StringComparer.Ordinal);
    private readonly List<string> _changes = [];

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
