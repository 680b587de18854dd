using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;

namespace Interviews.Tests.Calendar;

/// <summary>The Microsoft identity platform's token endpoint (tenant <c>common</c>) and Microsoft Graph's <c>/me/events</c> and <c>/me/calendarView/delta</c>.</summary>
public sealed partial class FakeMicrosoft() : FakeProvider("candidate@outlook.test")
{
    private const string Events = "/v1.0/me/events";
    private const string Delta = "/v1.0/me/calendarView/delta";
    private readonly Dictionary<string, JsonObject> _events = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly List<string> _changes = [];
    private int _counter;

    protected override string TokenPath => "/common/oauth2/v2.0/token";

    public int Posts { get; private set; }

    public IReadOnlyList<JsonObject> LiveEvents
    {
        get
        {
            lock (Lock)
            {
                return [.. _events.Where(e => !_deleted.Contains(e.Key)).Select(e => (JsonObject)e.Value.DeepClone())];
            }
        }
    }

    /// <summary>The event's start in UTC.</summary>
    public static DateTimeOffset StartOf(JsonObject e)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(e["start"]!["timeZone"]!.GetValue<string>());
        var local = DateTime.Parse(e["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    public void MoveByUser(string id, DateTimeOffset start)
    {
        lock (Lock)
        {
            var e = _events[id];
            var minutes = (DateTime.Parse(e["end"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture) - DateTime.Parse(e["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture)).TotalMinutes;
            e["start"] = new JsonObject { ["dateTime"] = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" };
            e["end"] = new JsonObject { ["dateTime"] = start.UtcDateTime.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" };
            _changes.Add(id);
        }
    }

    public void DeleteByUser(string id)
    {
        lock (Lock)
        {
            _deleted.Add(id);
            _changes.Add(id);
        }
    }

    protected override IResponseMessage HandleApi(IRequestMessage request)
    {
        var path = request.Path;
        if (path is Delta or Delta + "()")
        {
            return DeltaPage(request);
        }

        if (!path.StartsWith(Events, StringComparison.Ordinal))
        {
            return Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = "ResourceNotFound", ["message"] = "no" } });
        }

        var id = path.Length > Events.Length ? Uri.UnescapeDataString(path[(Events.Length + 1)..]) : null;
        switch (request.Method)
        {
            case "GET" when id is null:
                // $filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '{interviewId}')
                var filter = request.Query?.TryGetValue("$filter", out var f) == true ? f.FirstOrDefault() ?? "" : "";
                var wanted = ValueFilter().Match(filter) is { Success: true } m ? m.Groups[1].Value : null;
                var found = _events.Where(e => !_deleted.Contains(e.Key) && e.Value["singleValueExtendedProperties"]?.AsArray().Any(p => p?["value"]?.GetValue<string>() == wanted) == true)
                    .Select(e => (JsonNode)new JsonObject { ["id"] = e.Key });
                return Json(200, new JsonObject { ["value"] = new JsonArray([.. found]) });
            case "POST" when id is null:
                var created = JsonNode.Parse(request.Body!)!.AsObject();
                var transaction = created["transactionId"]?.GetValue<string>();
                var repeat = _events.FirstOrDefault(e => e.Value["transactionId"]?.GetValue<string>() == transaction && transaction is not null);
                if (repeat.Key is not null)
                {
                    return Json(201, repeat.Value);
                }

                Posts++;
                var newId = $"AAMkAGI2TG93AAA={++_counter}";
                created["id"] = newId;
                _events[newId] = created;
                _changes.Add(newId);
                return Json(201, created);
            case "PATCH" when id is not null:
                if (!_events.TryGetValue(id, out var existing) || _deleted.Contains(id))
                {
                    return Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = "ErrorItemNotFound", ["message"] = "The specified object was not found in the store." } });
                }

                foreach (var (key, value) in JsonNode.Parse(request.Body!)!.AsObject())
                {
                    existing[key] = value?.DeepClone();
                }

                _changes.Add(id);
                return Json(200, existing);
            case "DELETE" when id is not null:
                if (!_events.ContainsKey(id) || !_deleted.Add(id))
                {
                    return Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = "ErrorItemNotFound", ["message"] = "Not found." } });
                }

                _changes.Add(id);
                return Empty(204);
            default:
                return Json(405, new JsonObject { ["error"] = new JsonObject { ["code"] = "MethodNotAllowed", ["message"] = "no" } });
        }
    }

    private ResponseMessage DeltaPage(IRequestMessage request)
    {
        var token = request.Query?.TryGetValue("$deltatoken", out var t) == true ? t.FirstOrDefault() : null;
        var since = token is null ? 0 : int.Parse(token, CultureInfo.InvariantCulture);
        var ids = token is null ? _events.Keys.Where(k => !_deleted.Contains(k)).ToList() : _changes.Skip(since).Distinct().ToList();
        var items = ids.Select(id => _deleted.Contains(id)
            ? (JsonNode)new JsonObject { ["id"] = id, ["@removed"] = new JsonObject { ["reason"] = "deleted" } }
            : new JsonObject { ["id"] = id, ["subject"] = _events[id]["subject"]?.DeepClone(), ["start"] = Utc(_events[id]["start"]!), ["end"] = Utc(_events[id]["end"]!) });
        return Json(200, new JsonObject
        {
            ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
            ["value"] = new JsonArray([.. items]),
            ["@odata.deltaLink"] = $"{Url}{Delta}?$deltatoken={_changes.Count}",
        });
    }

    private static JsonObject Utc(JsonNode time)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(time["timeZone"]!.GetValue<string>());
        var local = DateTime.Parse(time["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        return new JsonObject { ["dateTime"] = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" };
    }

    [GeneratedRegex("ep/value eq '([0-9a-fA-F-]{36})'")]
    private static partial Regex ValueFilter();
}
