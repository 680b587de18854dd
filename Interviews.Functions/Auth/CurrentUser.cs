using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;

namespace Interviews.Functions.Auth;

/// <summary>
/// The caller, as the validated bearer token says: the user id this service derived from it and the
/// token's <c>email</c> claim (the default address of the user's reminders). Every authenticated
/// function takes it as a parameter, bound by the host from the principal its authentication adapter
/// set — never from anything the request says. A function marked anonymous does not take it.
/// </summary>
[InputConverter(typeof(CurrentUserConverter))]
public sealed record CurrentUser(Guid Id, string? Email)
{
    /// <summary>The caller of <paramref name="context"/>, or null when no authentication adapter accepted a token for it.</summary>
    public static CurrentUser? Of(HttpContext context) =>
        Guid.TryParse(context.User.FindFirst(BearerTokenValidator.UserIdClaim)?.Value, out var id)
            ? new CurrentUser(id, context.User.FindFirst("email")?.Value)
            : null;

    /// <summary>
    /// <see cref="Of"/>, for a host binding a function's parameter: a function that asks for the caller
    /// runs only behind authentication, so its absence is a bug of the host, and fails the invocation.
    /// </summary>
    public static CurrentUser Required(HttpContext context) =>
        Of(context) ?? throw new InvalidOperationException("A function that takes the current user ran without an authenticated caller.");
}

/// <summary>The Functions worker's binding of <see cref="CurrentUser"/> parameters.</summary>
public sealed class CurrentUserConverter : IInputConverter
{
    public ValueTask<ConversionResult> ConvertAsync(ConverterContext context) =>
        ValueTask.FromResult(context.TargetType == typeof(CurrentUser)
            ? ConversionResult.Success(CurrentUser.Required(context.FunctionContext.GetHttpContext()
                ?? throw new InvalidOperationException("The current user is bound only for HTTP functions.")))
            : ConversionResult.Unhandled());
}
