using Interviews.Domain;
using Interviews.Tests.Support;

namespace Interviews.Tests.Domain;

/// <summary>What it takes to schedule an interview: a future time, and details within the requirements' bounds.</summary>
public sealed class SchedulingRulesTests
{
    private static readonly DateTimeOffset Now = InterviewBuilder.ScheduledOn;
    private static readonly Guid ApplicationId = Guid.Parse("22222222-2222-2222-2222-222222222222");

    [Fact]
    public void Scheduling_at_the_current_time_is_rejected()
    {
        var result = new InterviewBuilder().ScheduledFor(Now).TrySchedule();

        DomainAssert.InvalidFields(result.Error, "scheduledAt");
    }

    [Fact]
    public void Scheduling_in_the_past_is_rejected()
    {
        var result = new InterviewBuilder().ScheduledFor(Now.AddDays(-1)).TrySchedule();

        DomainAssert.InvalidFields(result.Error, "scheduledAt");
    }

    [Fact]
    public void Scheduling_one_tick_in_the_future_is_accepted()
    {
        var interview = DomainAssert.Succeeded(new InterviewBuilder().ScheduledFor(Now.AddTicks(1)).TrySchedule());

        Assert.Equal(Now.AddTicks(1), interview.ScheduledAt);
    }

    [Fact]
    public void Scheduling_exactly_the_maximum_ahead_is_accepted()
    {
        var result = new InterviewBuilder().ScheduledFor(Now + Interview.MaxScheduleAhead).TrySchedule();

        DomainAssert.Succeeded(result);
    }

    [Fact]
    public void Scheduling_further_ahead_than_the_maximum_is_rejected()
    {
        var result = new InterviewBuilder().ScheduledFor(Now + Interview.MaxScheduleAhead + TimeSpan.FromTicks(1)).TrySchedule();

        DomainAssert.InvalidFields(result.Error, "scheduledAt");
    }

    [Fact]
    public void A_time_given_with_an_offset_is_kept_as_the_same_instant_in_UTC()
    {
        var inLosAngeles = new DateTimeOffset(2026, 3, 5, 6, 0, 0, TimeSpan.FromHours(-8));

        var interview = DomainAssert.Succeeded(new InterviewBuilder().ScheduledFor(inLosAngeles).TrySchedule());

        Assert.Equal(inLosAngeles, interview.ScheduledAt);
        Assert.Equal(TimeSpan.Zero, interview.ScheduledAt.Offset);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(60)]
    [InlineData(480)]
    public void A_duration_from_15_to_480_minutes_is_accepted(int minutes)
    {
        var details = DomainAssert.Succeeded(new InterviewBuilder().Lasting(minutes).Details());

        Assert.Equal(minutes, details.Duration);
    }

    [Theory]
    [InlineData(-60)]
    [InlineData(0)]
    [InlineData(14)]
    [InlineData(481)]
    public void A_duration_outside_15_to_480_minutes_is_rejected(int minutes)
    {
        var result = new InterviewBuilder().Lasting(minutes).Details();

        DomainAssert.InvalidFields(result.Error, "duration");
    }

    [Fact]
    public void A_missing_duration_is_rejected()
    {
        var result = InterviewDetails.Create(ApplicationId, "Video", null, null, [], "UTC");

        DomainAssert.InvalidFields(result.Error, "duration");
    }

    [Fact]
    public void A_location_of_500_characters_is_accepted()
    {
        var location = new string('l', 500);

        var details = DomainAssert.Succeeded(new InterviewBuilder().At(location).Details());

        Assert.Equal(location, details.Location);
    }

    [Fact]
    public void A_location_of_501_characters_is_rejected()
    {
        var result = new InterviewBuilder().At(new string('l', 501)).Details();

        DomainAssert.InvalidFields(result.Error, "location");
    }

    [Fact]
    public void A_location_is_trimmed()
    {
        var details = DomainAssert.Succeeded(new InterviewBuilder().At("  x  ").Details());

        Assert.Equal("x", details.Location);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_location_is_no_location(string? location)
    {
        var details = DomainAssert.Succeeded(new InterviewBuilder().At(location).Details());

        Assert.Null(details.Location);
    }

    [Fact]
    public void Twenty_interviewers_are_accepted()
    {
        var names = Enumerable.Range(1, 20).Select(i => $"Interviewer {i}").ToArray();

        var details = DomainAssert.Succeeded(new InterviewBuilder().With(names).Details());

        Assert.Equal(names, details.Interviewers);
    }

    [Fact]
    public void Twenty_one_interviewers_are_rejected()
    {
        var names = Enumerable.Range(1, 21).Select(i => $"Interviewer {i}").ToArray();

        var result = new InterviewBuilder().With(names).Details();

        DomainAssert.InvalidFields(result.Error, "interviewers");
    }

    [Fact]
    public void No_interviewers_are_accepted()
    {
        var details = DomainAssert.Succeeded(InterviewDetails.Create(ApplicationId, "Video", 60, null, null, "UTC"));

        Assert.Empty(details.Interviewers);
    }

    [Fact]
    public void An_interviewer_name_of_200_characters_is_accepted()
    {
        var name = new string('n', 200);

        var details = DomainAssert.Succeeded(new InterviewBuilder().With("Jane Smith", name).Details());

        Assert.Equal(["Jane Smith", name], details.Interviewers);
    }

    [Fact]
    public void An_interviewer_name_of_201_characters_is_rejected_with_its_index()
    {
        var result = new InterviewBuilder().With("Jane Smith", new string('n', 201)).Details();

        DomainAssert.InvalidFields(result.Error, "interviewers[1]");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_blank_interviewer_name_is_rejected_with_its_index(string? name)
    {
        var result = new InterviewBuilder().With("Jane Smith", "John Doe", name).Details();

        DomainAssert.InvalidFields(result.Error, "interviewers[2]");
    }

    [Fact]
    public void Interviewer_names_are_trimmed()
    {
        var details = DomainAssert.Succeeded(new InterviewBuilder().With("  Jane Smith ", "John Doe\t").Details());

        Assert.Equal(["Jane Smith", "John Doe"], details.Interviewers);
    }

    [Fact]
    public void A_missing_application_is_rejected()
    {
        var result = InterviewDetails.Create(null, "Video", 60, null, [], "UTC");

        DomainAssert.InvalidFields(result.Error, "applicationId");
    }

    [Fact]
    public void The_empty_guid_as_application_is_rejected()
    {
        var result = new InterviewBuilder().ForApplication(Guid.Empty).Details();

        DomainAssert.InvalidFields(result.Error, "applicationId");
    }

    [Theory]
    [InlineData("PhoneScreen", InterviewType.PhoneScreen)]
    [InlineData("Phone Screen", InterviewType.PhoneScreen)]
    [InlineData("Video", InterviewType.Video)]
    [InlineData("In-Person", InterviewType.InPerson)]
    [InlineData("InPerson", InterviewType.InPerson)]
    [InlineData("Technical", InterviewType.Technical)]
    [InlineData("Panel", InterviewType.Panel)]
    [InlineData("Final", InterviewType.Final)]
    public void Interview_types_are_accepted_by_name_and_in_the_requirements_display_spellings(string text, InterviewType expected)
    {
        var details = DomainAssert.Succeeded(new InterviewBuilder().OfType(text).Details());

        Assert.Equal(expected, details.InterviewType);
    }

    [Theory]
    [InlineData("phone-screen")]
    [InlineData("phonescreen")]
    [InlineData("VIDEO")]
    [InlineData("IN-PERSON")]
    [InlineData("panel")]
    [InlineData(" Final ")]
    [InlineData("Phone_Screen")]
    public void An_interview_type_in_another_case_spacing_or_separator_is_refused(string text)
    {
        DomainAssert.InvalidFields(new InterviewBuilder().OfType(text).Details().Error, "interviewType");
    }

    [Theory]
    [InlineData("Lunch")]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("   ")]
    public void An_unknown_or_numeric_interview_type_is_rejected(string text)
    {
        var result = new InterviewBuilder().OfType(text).Details();

        DomainAssert.InvalidFields(result.Error, "interviewType");
    }

    [Fact]
    public void A_missing_interview_type_is_rejected()
    {
        var result = InterviewDetails.Create(ApplicationId, null, 60, null, [], "UTC");

        DomainAssert.InvalidFields(result.Error, "interviewType");
    }

    [Theory]
    [InlineData("America/Los_Angeles")]
    [InlineData("Europe/London")]
    [InlineData("UTC")]
    public void An_IANA_timezone_is_accepted(string zone)
    {
        var details = DomainAssert.Succeeded(new InterviewBuilder().InZone(zone).Details());

        Assert.Equal(zone, details.Timezone.Id);
    }

    [Theory]
    [InlineData("Mars/Olympus")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("Pacific Standard Time")]
    [InlineData("+05:00")]
    public void A_timezone_that_is_not_an_IANA_id_is_rejected(string zone)
    {
        var result = new InterviewBuilder().InZone(zone).Details();

        DomainAssert.InvalidFields(result.Error, "timezone");
    }

    [Fact]
    public void A_missing_timezone_is_rejected()
    {
        var result = InterviewDetails.Create(ApplicationId, "Video", 60, null, [], null);

        DomainAssert.InvalidFields(result.Error, "timezone");
    }

    [Fact]
    public void Every_invalid_field_is_reported_at_once()
    {
        var result = InterviewDetails.Create(
            Guid.Empty, "3", 14, new string('l', 501), ["Jane Smith", " ", new string('n', 201)], "Mars/Olympus");

        var error = DomainAssert.InvalidFields(
            result.Error, "applicationId", "interviewType", "duration", "location", "interviewers[1]", "interviewers[2]", "timezone");
        Assert.Equal("validation", error.Code);
    }

    [Fact]
    public void Scheduling_records_one_InterviewScheduled_event_carrying_the_details()
    {
        var userId = Guid.NewGuid();
        var id = Guid.NewGuid();
        var at = Now.AddDays(3);
        var details = DomainAssert.Succeeded(new InterviewBuilder()
            .OfType("Phone Screen").Lasting(45).At(" https://meet.example/abc ").With("Jane Smith").InZone("Europe/London").Details());

        var interview = DomainAssert.Succeeded(Interview.Schedule(id, userId, details, at, Now));

        var scheduled = DomainAssert.SingleEvent<InterviewScheduled>(interview);
        Assert.NotEqual(Guid.Empty, scheduled.EventId);
        Assert.Equal(id, scheduled.InterviewId);
        Assert.Equal(userId, scheduled.UserId);
        Assert.Equal(ApplicationId, scheduled.ApplicationId);
        Assert.Equal(InterviewType.PhoneScreen, scheduled.InterviewType);
        Assert.Equal(at, scheduled.ScheduledAt);
        Assert.Equal(45, scheduled.Duration);
        Assert.Equal("https://meet.example/abc", scheduled.Location);
        Assert.Equal(["Jane Smith"], scheduled.Interviewers);
        Assert.Equal("Europe/London", scheduled.Timezone);
        Assert.Equal(Now, scheduled.ScheduledOn);
        Assert.Equal(Now, scheduled.OccurredAt);
    }

    [Fact]
    public void A_scheduled_interview_holds_its_details_and_nothing_else_yet()
    {
        var userId = Guid.NewGuid();
        var id = Guid.NewGuid();
        var at = Now.AddDays(3);
        var details = DomainAssert.Succeeded(new InterviewBuilder().Details());

        var interview = DomainAssert.Succeeded(Interview.Schedule(id, userId, details, at, Now));

        Assert.Equal(id, interview.Id);
        Assert.Equal(userId, interview.UserId);
        Assert.Equal(ApplicationId, interview.ApplicationId);
        Assert.Equal(InterviewType.Video, interview.InterviewType);
        Assert.Equal(InterviewStatus.Scheduled, interview.Status);
        Assert.Equal(at, interview.ScheduledAt);
        Assert.Equal(at, interview.EarliestScheduledAt);
        Assert.Equal(60, interview.Duration);
        Assert.Equal("https://zoom.us/j/12345", interview.Location);
        Assert.Equal(["Jane Smith", "John Doe"], interview.Interviewers);
        Assert.Equal("America/Los_Angeles", interview.Timezone.Id);
        Assert.Null(interview.CompletedAt);
        Assert.Null(interview.PreparationNotes);
        Assert.False(interview.ResearchCompleted || interview.QuestionsPrepped || interview.MaterialsGathered);
        Assert.False(interview.ThankYouNoteSent);
        Assert.Empty(interview.RescheduleHistory);
        Assert.Equal(Now, interview.CreatedAt);
        Assert.Equal(Now, interview.UpdatedAt);
    }

    [Fact]
    public void A_refused_schedule_records_no_interview()
    {
        var details = DomainAssert.Succeeded(new InterviewBuilder().Details());

        var result = Interview.Schedule(Guid.NewGuid(), Guid.NewGuid(), details, Now.AddMinutes(-1), Now);

        Assert.False(result.IsSuccess);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }
}
