using Interviews.Domain;

namespace Interviews.Tests.Calendar;

public sealed class VideoLinksTests
{
    [Theory]
    [InlineData("https://zoom.us/j/12345", "zoom")]
    [InlineData("Join at https://acme.zoom.us/j/98765?pwd=abc", "zoom")]
    [InlineData("https://teams.microsoft.com/l/meetup-join/19%3ameeting", "teams")]
    [InlineData("https://meet.google.com/abc-defg-hij", "googleMeet")]
    [InlineData("Webex: https://acme.webex.com/meet/jane.", "webex")]
    public void Known_video_services_are_recognised(string location, string provider)
    {
        Assert.Equal(provider, VideoLinks.Find(location)?.Provider);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1 Market St, San Francisco")]
    [InlineData("https://zoom.us.evil.example/j/1")]
    [InlineData("https://notzoom.us/j/1")]
    [InlineData("ftp://zoom.us/j/1")]
    [InlineData("https://user@meet.google.com/abc")]
    public void Anything_else_is_not_a_video_link(string? location)
    {
        Assert.Null(VideoLinks.Find(location));
    }
}
