using System.Net;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

/// <summary>The embedded store is a file: what one LocalHost wrote, the next one reads.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly TestFolder _folder = new();

    private string DatabasePath => _folder.Database();

    [Fact]
    public async Task Data_survives_a_restart()
    {
        var user = LocalHostFactory.NewUser();
        string id, etag;
        using (var first = LocalHostFactory.OnDatabase(DatabasePath))
        {
            var client = first.ClientFor(user);
            (id, _, _) = await client.ScheduleAsync(first);
            var prepared = await client.SendJsonAsync(HttpMethod.Put, $"/api/interviews/{id}/prepare", new { preparationNotes = "kept" });
            etag = prepared.Headers.ETag!.ToString();
        }

        using var second = LocalHostFactory.OnDatabase(DatabasePath);
        var again = second.ClientFor(user);
        var response = await again.GetPathAsync($"/api/interviews/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag!.ToString());
        var body = await response.JsonAsync();
        Assert.Equal("kept", body["preparationNotes"]!.GetValue<string>());
        Assert.Equal("Prepared", body["status"]!.GetValue<string>());
        Assert.Single((await (await again.GetPathAsync("/api/interviews")).JsonAsync())["items"]!.AsArray());
    }

    public void Dispose()
    {
        _folder.Dispose();
    }
}
