using System.Text.Json;
using Interviews.Functions.Http;
using Interviews.Functions.Privacy;

namespace Interviews.Functions.Reminders;

/// <summary>The user's notification settings (null when they never set any) and the reminders planned for their interviews.</summary>
public sealed class RemindersExporter(NotificationSettingsStore settings, ReminderStore reminders) : IUserDataExporter
{
    public string Section => "reminders";

    public async Task WriteAsync(Guid userId, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("notificationSettings");
        var (current, etag) = await settings.GetAsync(userId, cancellationToken);
        if (etag is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, current, ApiJson.Options);
        }

        writer.WriteStartArray("reminders");
        await foreach (var plan in reminders.PlansOfAsync(userId, cancellationToken))
        {
            foreach (var reminder in await reminders.OfPlanAsync(plan, cancellationToken))
            {
                JsonSerializer.Serialize(writer, reminder, ApiJson.Options);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary>The user's reminders, in the reminders container (partitioned by hour), found through the plans in the user's partition.</summary>
public sealed class RemindersEraser(ReminderStore reminders) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        await foreach (var plan in reminders.PlansOfAsync(userId, cancellationToken))
        {
            await reminders.DeleteAllAsync(plan, cancellationToken);
        }
    }
}
