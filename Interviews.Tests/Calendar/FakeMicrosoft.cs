using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;

namespace Interviews.Tests.Calendar;

/// <summary>A Graph subscription as the fake holds it.</summary>
public sealed record FakeSubscription(string Id, string ChangeType, string Resource, string NotificationUrl, string? LifecycleNotificationUrl, string? ClientState)
{
    public DateTimeOffset Expiration { get; set; }
}

/// <summary>
/// The Microsoft identity platform's token endpoint (tenant <c>common</c>) and Microsoft Graph's <c>/me/events</c>,
/// <c>/me/calendarView/delta</c> and <c>/subscriptions</c> (create with the validationToken handshake, renew,
/// delete). The service's public host is not this machine's: <see cref="ServiceBase"/> stands for it, the way a
/// tunnel would. A test plays Graph's push with <see cref="NotifyAsync"/> and <see cref="LifecycleAsync"/>.
/// </summary>
public sealed partial class FakeMicrosoft() : FakeProvider("candidate@outlook.test")
{
    private const string Events = "/v1.0/me/events";
    private const string Delta = "/v1.0/me/calendarView/delta";
    private const string Subscriptions = "/v1.0/subscriptions";
    private readonly List<FakeSubscription> _subscriptions = [];

    /// <summary>Where the validation requests go instead of the notification URL's own origin (the service under test).</summary>
    public Func<Uri>? ServiceBase { get; set; }

    public IReadOnlyList<FakeSubscription> OpenSubscriptions
    {
        get
        {
            lock (Lock)
            {
                return [.. _subscriptions];
            }
        }
    }

    /// <summary>Validation handshakes: the URL and whether the service echoed the token as text/plain in time.</summary>
    public List<(string Url, bool Passed)> Validations { get; } = [];

    public List<string> DeletedSubscriptions { get; } = [];

    /// <summary>Graph removes the subscription on its side (as before a <c>subscriptionRemoved</c>).</summary>
    public void RemoveSubscription(string id)
    {
        lock (Lock)
        {
            _subscriptions.RemoveAll(s => s.Id == id);
        }
    }

    /// <summary>A change notification batch as Graph posts it to the subscription's notification URL.</summary>
    public static Task<HttpResponseMessage> NotifyAsync(HttpClient service, FakeSubscription subscription, string changeType = "updated", string? clientState = null, string? subscriptionId = null) =>
        PostAsync(service, subscription.NotificationUrl, new JsonObject
        {
            ["value"] = new JsonArray(new JsonObject
            {
                ["subscriptionId"] = subscriptionId ?? subscription.Id,
                ["subscriptionExpirationDateTime"] = subscription.Expiration.ToString("o", CultureInfo.InvariantCulture),
                ["changeType"] = changeType,
                ["resource"] = "Users/00000000-0000-0000-0000-000000000001/Events/AAMk",
                ["resourceData"] = new JsonObject { ["@odata.type"] = "#Microsoft.Graph.Event", ["id"] = "AAMk" },
                ["clientState"] = clientState ?? subscription.ClientState,
                ["tenantId"] = "9188040d-6c67-4c5b-b112-36a304b66dad",
            }),
        });

    /// <summary>A lifecycle notification as Graph posts it to the subscription's lifecycle URL.</summary>
    public static Task<HttpResponseMessage> LifecycleAsync(HttpClient service, FakeSubscription subscription, string lifecycleEvent, string? clientState = null) =>
        PostAsync(service, subscription.LifecycleNotificationUrl!, new JsonObject
        {
            ["value"] = new JsonArray(new JsonObject
            {
                ["subscriptionId"] = subscription.Id,
                ["subscriptionExpirationDateTime"] = subscription.Expiration.ToString("o", CultureInfo.InvariantCulture),
                ["lifecycleEvent"] = lifecycleEvent,
                ["clientState"] = clientState ?? subscription.ClientState,
                ["tenantId"] = "9188040d-6c67-4c5b-b112-36a304b66dad",
            }),
        });

    private static async Task<HttpResponseMessage> PostAsync(HttpClient service, string url, JsonObject body) =>
        await service.PostAsync(new Uri(url).PathAndQuery, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
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
        if (path.StartsWith(Subscriptions, StringComparison.Ordinal))
        {
            return Subscription(request, path.Length > Subscriptions.Length ? path[(Subscriptions.Length + 1)..] : null);
        }

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

    private ResponseMessage Subscription(IRequestMessage request, string? id)
    {
        var body = request.Body is { Length: > 0 } text ? JsonNode.Parse(text)!.AsObject() : null;
        switch (request.Method)
        {
            case "POST" when id is null:
                var url = body!["notificationUrl"]!.GetValue<string>();
                var lifecycle = body["lifecycleNotificationUrl"]?.GetValue<string>();
                foreach (var address in new[] { url, lifecycle }.OfType<string>())
                {
                    if (!Validate(address))
                    {
                        return Json(400, new JsonObject { ["error"] = new JsonObject { ["code"] = "ValidationError", ["message"] = $"Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request: {address}" } });
                    }
                }

                var created = new FakeSubscription(Guid.NewGuid().ToString("D"), body["changeType"]!.GetValue<string>(), body["resource"]!.GetValue<string>(), url, lifecycle, body["clientState"]?.GetValue<string>())
                {
                    Expiration = DateTimeOffset.Parse(body["expirationDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                };
                _subscriptions.Add(created);
                return Json(201, Describe(created));
            case "PATCH" when id is not null:
                var found = _subscriptions.FirstOrDefault(s => s.Id == id);
                if (found is null)
                {
                    return Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = "ResourceNotFound", ["message"] = "The object was not found." } });
                }

                found.Expiration = DateTimeOffset.Parse(body!["expirationDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                return Json(200, Describe(found));
            case "DELETE" when id is not null:
                if (_subscriptions.RemoveAll(s => s.Id == id) == 0)
                {
                    return Json(404, new JsonObject { ["error"] = new JsonObject { ["code"] = "ResourceNotFound", ["message"] = "The object was not found." } });
                }

                DeletedSubscriptions.Add(id);
                return Empty(204);
            default:
                return Json(405, new JsonObject { ["error"] = new JsonObject { ["code"] = "MethodNotAllowed", ["message"] = "no" } });
        }
    }

    /// <summary>Graph's check of a notification URL: POST ?validationToken=… (text/plain), the token back as text/plain within 10 s.</summary>
    private bool Validate(string address)
    {
        var token = $"Validation: Testing client application reachability for subscription Request-Id: {Guid.NewGuid():D}";
        var target = ServiceBase is null ? new Uri(address) : new Uri(ServiceBase(), new Uri(address).PathAndQuery);
        var passed = false;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var validation = new HttpRequestMessage(HttpMethod.Post, $"{target}?validationToken={Uri.EscapeDataString(token)}") { Content = new StringContent("", Encoding.UTF8, "text/plain") };
            using var answer = http.Send(validation);
            passed = answer.StatusCode == HttpStatusCode.OK && answer.Content.Headers.ContentType?.MediaType == "text/plain"
                && new StreamReader(answer.Content.ReadAsStream()).ReadToEnd() == token;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }

        Validations.Add((address, passed));
        return passed;
    }

    private static JsonObject Describe(FakeSubscription s) => new()
    {
        ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
        ["id"] = s.Id,
        ["resource"] = s.Resource,
        ["changeType"] = s.ChangeType,
        ["clientState"] = s.ClientState,
        ["notificationUrl"] = s.NotificationUrl,
        ["lifecycleNotificationUrl"] = s.LifecycleNotificationUrl,
        ["expirationDateTime"] = s.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
    };

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
