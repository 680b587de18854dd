using Interviews.Domain;

namespace Interviews.Tests.Domain;

/// <summary>Only real IANA zone ids are timezones; files of the machine's tz database that are not zones are not.</summary>
public sealed class IanaTimeZoneTests
{
    [Fact]
    public void An_instant_is_shown_in_the_zone_with_its_offset()
    {
        var zone = Assert.IsType<IanaTimeZone>(IanaTimeZone.Create("America/Los_Angeles").Value);

        var local = zone.ToLocal(new DateTimeOffset(2026, 3, 5, 17, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 5, 9, 0, 0, TimeSpan.FromHours(-8)), local);
        Assert.Equal(TimeSpan.FromHours(-8), local.Offset);
    }

    [Fact]
    public void The_field_name_can_be_chosen()
    {
        DomainAssert.InvalidFields(IanaTimeZone.Create("Mars/Olympus", "zone").Error, "zone");
    }

    [Theory]
    [InlineData("../zoneinfo/UTC")]
    [InlineData("/usr/share/zoneinfo/UTC")]
    [InlineData("zone.tab")]
    [InlineData("Local")]
    public void A_path_or_a_file_name_is_rejected(string id)
    {
        DomainAssert.InvalidFields(IanaTimeZone.Create(id).Error, "timezone");
    }

    // Debian and Ubuntu ship these beside the zones in /usr/share/zoneinfo. They are not zone ids:
    // clients (Intl, calendar services) refuse them, so an interview saved with one cannot be synced.
    [Theory]
    [InlineData("posixrules")]
    [InlineData("posix/Europe/London")]
    [InlineData("right/UTC")]
    public void A_tz_database_file_that_is_not_a_zone_id_is_rejected(string id)
    {
        var result = IanaTimeZone.Create(id);

        Assert.False(result.IsSuccess, $"'{id}' was accepted as an IANA zone id.");
        DomainAssert.InvalidFields(result.Error, "timezone");
    }
}
