using System.Globalization;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace Interviews.Functions.Calendar;

/// <summary>
/// Outlook calendars through Microsoft Graph (the Graph SDK, <c>/me/events</c> and
/// <c>/me/calendarView/delta</c>), authenticated with the connection's stored access token. Idempotent
/// creation: the event carries the interview id in a single-value extended property, which a repeated
/// create looks up first, and a <c>transactionId</c> derived from the interview id, which Graph uses to
/// drop a repeated POST. No attendees (no invitation ever goes to an interviewer), reminder off.
/// The HttpClient has no Graph retry middleware: throttling is handled by the sync's own backoff.
/// </summary>
public sealed class OutlookCalendarClient(HttpClient http, CalendarSettings settings, TimeProvider time) : ICalendarClient
{
    /// <summary>The single-value extended property that tags an event with its interview (a fixed GUID namespace and name).</summary>
    public const string InterviewIdPropertyId = "String {5b7a3c1e-8f0d-4a5e-9c61-2f3b8d4e6a70} Name InterviewsInterviewId";

    public string Provider => CalendarProviders.Outlook;

    public async Task<string?> UpsertAsync(string accessToken, string? eventId, CalendarEventData data, CancellationToken cancellationToken)
    {
        var graph = Client(accessToken);
        return await CallAsync<string?>(async () =>
        {
            if (eventId is not null)
            {
                try
                {
                    await graph.Me.Events[eventId].PatchAsync(Event(data, create: false), cancellationToken: cancellationToken);
                    return eventId;
                }
                catch (ApiException e) when (e.ResponseStatusCode is 404 or 410)
                {
                    return null;
                }
            }

            // A create that crashed before its id was stored left the event behind: find it by its tag.
            if (await FindAsync(graph, data.InterviewId, cancellationToken) is { } left)
            {
                await graph.Me.Events[left].PatchAsync(Event(data, create: false), cancellationToken: cancellationToken);
                return left;
            }

            var created = await graph.Me.Events.PostAsync(Event(data, create: true), cancellationToken: cancellationToken);
            return created?.Id ?? throw new CalendarApiException(Provider, 201, "the created event has no id");
        });
    }

    public async Task DeleteAsync(string accessToken, string? eventId, Guid interviewId, CancellationToken cancellationToken)
    {
        var graph = Client(accessToken);
        await CallAsync(async () =>
        {
            eventId ??= await FindAsync(graph, interviewId, cancellationToken);
            if (eventId is not null)
            {
                try
                {
                    await graph.Me.Events[eventId].DeleteAsync(cancellationToken: cancellationToken);
                }
                catch (ApiException e) when (e.ResponseStatusCode is 404 or 410)
                {
                    // Already gone.
                }
            }

            return eventId;
        });
    }

    public async Task<CalendarChanges> ReadChangesAsync(string accessToken, string? cursor, CancellationToken cancellationToken)
    {
        var graph = Client(accessToken);
        return await CallAsync(async () =>
        {
            var changes = new List<CalendarChange>();
            Microsoft.Graph.Me.CalendarView.Delta.DeltaGetResponse? page;
            try
            {
                if (cursor is null)
                {
                    var now = time.GetUtcNow();
                    page = await graph.Me.CalendarView.Delta.GetAsDeltaGetResponseAsync(
                        c =>
                        {
                            c.QueryParameters.StartDateTime = Iso(now - settings.ReconcileWindowPast);
                            c.QueryParameters.EndDateTime = Iso(now + settings.ReconcileWindowFuture);
                            c.Headers.Add("Prefer", "outlook.timezone=\"UTC\"");
                        },
                        cancellationToken);
                }
                else
                {
                    page = await graph.Me.CalendarView.Delta.WithUrl(cursor).GetAsDeltaGetResponseAsync(c => c.Headers.Add("Prefer", "outlook.timezone=\"UTC\""), cancellationToken);
                }

                while (true)
                {
                    foreach (var item in page?.Value ?? [])
                    {
                        if (item.Id is null)
                        {
                            continue;
                        }

                        var removed = item.AdditionalData?.ContainsKey("@removed") == true;
                        changes.Add(new CalendarChange(item.Id, removed, removed ? null : Instant(item.Start), null));
                    }

                    if (page?.OdataNextLink is { } next)
                    {
                        page = await graph.Me.CalendarView.Delta.WithUrl(next).GetAsDeltaGetResponseAsync(c => c.Headers.Add("Prefer", "outlook.timezone=\"UTC\""), cancellationToken);
                        continue;
                    }

                    return new CalendarChanges(changes, page?.OdataDeltaLink ?? throw new CalendarApiException(Provider, 200, "no deltaLink on the last page"));
                }
            }
            catch (ApiException e) when (e.ResponseStatusCode == 410)
            {
                throw new SyncCursorExpiredException(Provider);
            }
        });
    }

    public async Task<PushChannel> WatchAsync(string accessToken, PushRequest request, CancellationToken cancellationToken)
    {
        var graph = Client(accessToken);
        return await CallAsync(async () =>
        {
            // Graph checks both URLs with a validationToken before it answers (the webhook echoes it).
            var created = await graph.Subscriptions.PostAsync(
                new Subscription
                {
                    ChangeType = "created,updated,deleted",
                    Resource = "me/events",
                    NotificationUrl = request.Address.AbsoluteUri,
                    LifecycleNotificationUrl = request.LifecycleAddress?.AbsoluteUri,
                    ClientState = request.Secret,
                    ExpirationDateTime = request.ExpiresAt,
                },
                cancellationToken: cancellationToken);
            return new PushChannel(
                created?.Id ?? throw new CalendarApiException(Provider, 201, "the created subscription has no id"),
                null,
                created.ExpirationDateTime ?? request.ExpiresAt);
        });
    }

    public async Task<DateTimeOffset?> RenewWatchAsync(string accessToken, PushChannel channel, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var graph = Client(accessToken);
        return await CallAsync<DateTimeOffset?>(async () =>
        {
            try
            {
                var renewed = await graph.Subscriptions[channel.Id].PatchAsync(new Subscription { ExpirationDateTime = expiresAt }, cancellationToken: cancellationToken);
                return renewed?.ExpirationDateTime ?? expiresAt;
            }
            catch (ApiException e) when (e.ResponseStatusCode == 404)
            {
                return null; // Removed by Graph (subscriptionRemoved, or it lapsed): make a new one.
            }
        });
    }

    public async Task StopWatchAsync(string accessToken, PushChannel channel, CancellationToken cancellationToken)
    {
        var graph = Client(accessToken);
        await CallAsync(async () =>
        {
            try
            {
                await graph.Subscriptions[channel.Id].DeleteAsync(cancellationToken: cancellationToken);
            }
            catch (ApiException e) when (e.ResponseStatusCode is 404 or 410)
            {
                // Already gone.
            }

            return true;
        });
    }

    private static async Task<string?> FindAsync(GraphServiceClient graph, Guid interviewId, CancellationToken cancellationToken)
    {
        var found = await graph.Me.Events.GetAsync(
            c =>
            {
                c.QueryParameters.Filter = $"singleValueExtendedProperties/Any(ep: ep/id eq '{InterviewIdPropertyId}' and ep/value eq '{interviewId:D}')";
                c.QueryParameters.Select = ["id"];
            },
            cancellationToken);
        return found?.Value?.FirstOrDefault()?.Id;
    }

    private static Event Event(CalendarEventData data, bool create)
    {
        var zone = WindowsZone(data.TimeZone);
        var start = TimeZoneInfo.ConvertTime(data.Start, TimeZoneInfo.FindSystemTimeZoneById(data.TimeZone));
        var end = TimeZoneInfo.ConvertTime(data.End, TimeZoneInfo.FindSystemTimeZoneById(data.TimeZone));
        var value = new Event
        {
            Subject = data.Title,
            Body = new ItemBody { ContentType = BodyType.Text, Content = data.Description },
            Start = new DateTimeTimeZone { DateTime = start.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), TimeZone = zone },
            End = new DateTimeTimeZone { DateTime = end.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), TimeZone = zone },
            Location = new Location { DisplayName = data.Location ?? "" },
            IsReminderOn = false,
            ShowAs = FreeBusyStatus.Busy,
        };
        if (create)
        {
            value.TransactionId = data.InterviewId.ToString("D");
            value.SingleValueExtendedProperties = [new SingleValueLegacyExtendedProperty { Id = InterviewIdPropertyId, Value = data.InterviewId.ToString("D") }];
        }

        return value;
    }

    /// <summary>Graph's time zones are Windows names (it also takes some IANA names); convert when the platform knows the zone.</summary>
    private static string WindowsZone(string iana) =>
        TimeZoneInfo.TryConvertIanaIdToWindowsId(iana, out var windows) ? windows : iana;

    private static DateTimeOffset? Instant(DateTimeTimeZone? value)
    {
        if (value?.DateTime is not { } text)
        {
            return null;
        }

        var local = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None);
        var zone = value.TimeZone is null or "UTC" or "Etc/UTC" or "tzone://Microsoft/Utc" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(value.TimeZone);
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local));
    }

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private GraphServiceClient Client(string accessToken) =>
        new(http, new StoredTokenAuthentication(accessToken), settings.Outlook.GraphBaseUrl.TrimEnd('/'));

    /// <summary>Graph's errors as <see cref="CalendarApiException"/>, with the Retry-After it sent.</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiException e) when (e is not null)
        {
            TimeSpan? retryAfter = null;
            if (e.ResponseHeaders.TryGetValue("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            {
                retryAfter = TimeSpan.FromSeconds(seconds);
            }

            var reason = (e as ODataError)?.Error?.Code ?? e.Message;
            throw new CalendarApiException(Provider, e.ResponseStatusCode, reason, retryAfter);
        }
        catch (HttpRequestException e)
        {
            throw new CalendarApiException(Provider, 0, e.HttpRequestError.ToString());
        }
    }

    /// <summary>Adds the connection's access token; Graph's client never sees the refresh token.</summary>
    private sealed class StoredTokenAuthentication(string accessToken) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("Authorization", $"Bearer {accessToken}");
            return Task.CompletedTask;
        }
    }
}
