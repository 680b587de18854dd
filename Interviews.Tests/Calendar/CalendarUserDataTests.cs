using System.Net;
using Interviews.Functions.Calendar;
using Interviews.Functions.Storage;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Calendar;

/// <summary>A user's export shows their calendar connections without tokens; erasure revokes the grants, stops the push channels and kills the feed URL.</summary>
public sealed class CalendarUserDataTests
{
    [Fact]
    public async Task Export_lists_connections_without_tokens_and_erasure_revokes_and_removes_everything()
    {
        using var host = CalendarTestHost.WithPush();
        var user = LocalHostFactory.NewUser();
        var client = host.Factory.ClientFor(user);
        await host.ConnectAsync(client, "google");
        await host.ConnectAsync(client, "outlook");
        var container = host.Factory.Services.GetRequiredService<IDocumentContainer>();
        var userId = Interviews.LocalHost.DevelopmentTokens.UserIdOf(user).ToString("D");
        // The push channels' lookups name the user in a shared partition.
        Assert.Equal(2, (await container.ReadPartitionAsync(CalendarStore.PushPartition, null, 1000, TestContext.Current.CancellationToken)).Items.Count(d => d.Json.Contains(userId, StringComparison.Ordinal)));
        var feed = await (await client.SendJsonAsync(HttpMethod.Post, "/api/calendar/feed", null)).JsonAsync();
        var feedPath = new Uri(feed["url"]!.GetValue<string>()).AbsolutePath;
        using var anonymous = host.Factory.ClientFor(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetPathAsync(feedPath)).StatusCode);

        var export = await (await client.GetPathAsync("/api/me/export")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"provider\":\"google\"", export.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Google.RefreshToken, export, StringComparison.Ordinal);
        Assert.All(host.Google.IssuedTokens, token => Assert.DoesNotContain(token, export, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendJsonAsync(HttpMethod.Delete, "/api/me?confirm=true", null)).StatusCode);
        Assert.NotEmpty(host.Google.Revoked);
        Assert.Single(host.Google.StoppedChannels);
        Assert.Single(host.Microsoft.DeletedSubscriptions);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetPathAsync(feedPath)).StatusCode);
        Assert.Empty(await host.ConnectionsAsync(client));

        // Nothing of the user is left in the shared calendar partitions either.
        foreach (var partition in new[] { CalendarStore.FeedsPartition, CalendarStore.ConnectionsPartition, CalendarStore.PushPartition })
        {
            var page = await container.ReadPartitionAsync(partition, null, 1000, TestContext.Current.CancellationToken);
            Assert.DoesNotContain(page.Items, d => d.Json.Contains(userId, StringComparison.Ordinal) || d.Id.Contains(userId, StringComparison.Ordinal));
        }

        Assert.Empty((await container.ReadPartitionAsync(userId, null, 1000, TestContext.Current.CancellationToken)).Items);
    }
}
