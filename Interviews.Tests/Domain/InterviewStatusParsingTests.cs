using Interviews.Domain;

namespace Interviews.Tests.Domain;

/// <summary>Statuses as clients write them (the list filter): a name, in any case; never a number or a combination.</summary>
public sealed class InterviewStatusParsingTests
{
    [Theory]
    [InlineData("Scheduled", InterviewStatus.Scheduled)]
    [InlineData("prepared", InterviewStatus.Prepared)]
    [InlineData("COMPLETED", InterviewStatus.Completed)]
    [InlineData(" Rescheduled ", InterviewStatus.Rescheduled)]
    [InlineData("cancelled", InterviewStatus.Cancelled)]
    public void A_status_name_is_accepted_in_any_case(string text, InterviewStatus expected)
    {
        Assert.True(InterviewStatuses.TryParse(text, out var status));
        Assert.Equal(expected, status);
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
