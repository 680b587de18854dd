using Interviews.Domain;

namespace Interviews.Tests.Domain;

/// <summary>Statuses as clients write them (the list filter): the name exactly, as the contract lists it; never another case, a number or a combination.</summary>
public sealed class InterviewStatusParsingTests
{
    [Theory]
    [InlineData("Scheduled", InterviewStatus.Scheduled)]
    [InlineData("Prepared", InterviewStatus.Prepared)]
    [InlineData("Completed", InterviewStatus.Completed)]
    [InlineData("Rescheduled", InterviewStatus.Rescheduled)]
    [InlineData("Cancelled", InterviewStatus.Cancelled)]
    public void A_status_name_is_accepted(string text, InterviewStatus expected)
    {
        Assert.True(InterviewStatuses.TryParse(text, out var status));
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("scheduled")]
    [InlineData("COMPLETED")]
    [InlineData(" Rescheduled ")]
    [InlineData("cancelled")]
    public void A_status_in_another_case_or_with_spaces_is_not_a_status(string text)
    {
        Assert.False(InterviewStatuses.TryParse(text, out _), $"'{text}' was accepted as a status.");
    }

    [Theory]
    [InlineData("2")]
    [InlineData(" 3")]
    [InlineData("+2")]
    [InlineData("-0")]
    public void A_number_is_not_a_status(string text)
    {
        Assert.False(InterviewStatuses.TryParse(text, out _), $"'{text}' was accepted as a status.");
    }

    [Theory]
    [InlineData("Completed,Prepared")]
    [InlineData("Scheduled, Prepared")]
    public void A_list_of_statuses_is_not_a_status(string text)
    {
        Assert.False(InterviewStatuses.TryParse(text, out _), $"'{text}' was accepted as a status.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("Open")]
    public void A_blank_or_unknown_word_is_not_a_status(string? text)
    {
        Assert.False(InterviewStatuses.TryParse(text, out _));
    }
}
