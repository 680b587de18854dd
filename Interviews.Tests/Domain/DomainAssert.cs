using System.Text.Json;
using Interviews.Domain;

namespace Interviews.Tests.Domain;

/// <summary>Assertions the domain tests share: outcomes of commands, the fields a validation error names, and "nothing changed".</summary>
internal static class DomainAssert
{
    public static void Succeeded(Result result) =>
        Assert.True(result.IsSuccess, $"Expected success, got {result.Error}");

    public static T Succeeded<T>(Result<T> result)
    {
        Assert.True(result.IsSuccess, $"Expected success, got {result.Error}");
        return result.Value;
    }

    /// <summary>Asserts a validation error that names exactly <paramref name="fields"/>, no more, no fewer.</summary>
    public static Error InvalidFields(Error? error, params string[] fields)
    {
        Assert.NotNull(error);
        Assert.Equal(ErrorKind.Validation, error.Kind);
        Assert.NotNull(error.Fields);
        Assert.Equal(fields.Order(StringComparer.Ordinal), error.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.All(error.Fields.Values, messages => Assert.NotEmpty(messages));
        return error;
    }

    public static Error InvalidState(Error? error, string code)
    {
        Assert.NotNull(error);
        Assert.Equal(ErrorKind.InvalidState, error.Kind);
        Assert.Equal(code, error.Code);
        Assert.Null(error.Fields);
        return error;
    }

    /// <summary>Runs a command that must be refused and checks that the interview is exactly as it was, with no event.</summary>
    public static Error RefusedWithoutChange(Interview interview, Func<Interview, Result> command)
    {
        var before = Json(interview);
        var eventsBefore = interview.PendingEvents.Count;

        var result = command(interview);

        Assert.False(result.IsSuccess, "Expected the command to be refused.");
        Assert.Equal(before, Json(interview));
        Assert.Equal(eventsBefore, interview.PendingEvents.Count);
        return result.Error!;
    }

    public static TEvent SingleEvent<TEvent>(Interview interview)
        where TEvent : IDomainEvent =>
        Assert.IsType<TEvent>(Assert.Single(interview.PendingEvents));

    /// <summary>The interview's whole state as JSON: a structural comparison that sees inside lists.</summary>
    public static string Json(Interview interview) => JsonSerializer.Serialize(interview.ToSnapshot());
}
