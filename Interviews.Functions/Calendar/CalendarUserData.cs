using System.Text.Json;
using Interviews.Functions.Privacy;
using Microsoft.Extensions.Logging;

namespace Interviews.Functions.Calendar;

/// <summary>The user's calendar connections in their export: provider, account, status, sync state — never a token.</summary>
public sealed class CalendarExporter(CalendarStore store) : IUserDataExporter
{
    public string Section => "calendar";

    public async Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("connections");
        foreach (var provider in CalendarProviders.All)
        {
            if (await store.GetConnectionAsync(userId, provider, cancellationToken) is { } found)
            {
                var c = found.Connection;
                writer.WriteStartObject();
                writer.WriteString("provider", c.Provider);
                writer.WriteString("accountEmail", c.AccountEmail);
                writer.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(c.Status.ToString()));
                // Instants as every answer writes them (UTC with a 'Z'), not the writer's own "+00:00".
                writer.WritePropertyName("connectedAt");
                JsonSerializer.Serialize(writer, c.ConnectedAt, Http.ApiJson.Options);
                writer.WritePropertyName("lastSyncAt");
                JsonSerializer.Serialize(writer, c.LastSyncAt, Http.ApiJson.Options);

                writer.WriteString("lastError", c.LastError);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary>
/// Erases the user's calendar data that lives outside their partition or at the providers: each grant
/// is revoked (best effort, as on disconnect), its push channel stopped and the channel's and the connection's
/// lookup records deleted, and the ICS
/// feed's token lookup is deleted so that its URL stops working at once. The connection documents,
/// links and the feed record go with the user's partition. OAuth states in flight expire by themselves
/// within 10 minutes (their TTL).
/// </summary>
public sealed partial class CalendarEraser(CalendarStore store, CalendarOAuth oauth, CalendarPush push, ILogger<CalendarEraser> logger) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        foreach (var provider in CalendarProviders.All)
        {
            if (await store.GetConnectionAsync(userId, provider, cancellationToken) is not { } found)
            {
                continue;
            }

            // The push channel's lookup names the user in a shared partition: it goes, whatever the provider says.
            await push.StopAsync(userId, found.Connection, cancellationToken);
            try
            {
                await oauth.RevokeAsync(provider, store.Unprotect(found.Connection), cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or CalendarApiException or GrantRevokedException)
            {
                LogRevokeFailed(logger, provider);
            }

            await store.DeleteConnectionAsync(userId, provider, cancellationToken);
        }

        await store.RevokeFeedAsync(userId, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure: revoking the {Provider} grant failed; its tokens are deleted anyway")]
    private static partial void LogRevokeFailed(ILogger logger, string provider);
}
