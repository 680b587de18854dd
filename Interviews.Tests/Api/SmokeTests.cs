using System.Net;
using Interviews.Tests.Support;

namespace Interviews.Tests.Api;

public sealed class SmokeTests
{
    [Fact]
    public async Task A_scheduled_interview_can_be_read_back()
    {
        using var factory = new LocalHostFactory();
        using var client = factory.ClientFor("alice");
        var (id, etag, _) = await client.ScheduleAsync(factory);
        var response = await client.GetAsync($"/api/interviews/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag!.ToString());
    }
}
