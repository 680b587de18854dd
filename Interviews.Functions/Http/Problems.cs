using System.Diagnostics;
using System.Text.Json;
using Interviews.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Interviews.Functions.Http;

/// <summary>
/// The one place where failures become RFC 9457 problem details: the status for each error kind,
/// a <c>code</c> naming the failure, a <c>traceId</c>, and for validation an <c>errors</c> map keyed by field.
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => StatusCodes.Status400BadRequest,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.InvalidState => StatusCodes.Status409Conflict,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ErrorKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>How long a client should wait after a 503 when the store did not say (sent as <c>Retry-After</c>).</summary>
    public static TimeSpan DefaultRetryAfter { get; } = TimeSpan.FromSeconds(5);

    public static IResult From(Error error) =>
        new ProblemResult(StatusOf(error.Kind), error.Code, error.Message, error.Fields);

    public static IResult Status(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? fields = null) =>
        new ProblemResult(status, code, detail, fields);

    /// <summary>
    /// For a function that finds no authenticated user: only reached if a host ran it without its
    /// authentication adapter, and then it fails closed.
    /// </summary>
    public static IResult Unauthenticated() =>
        Status(StatusCodes.Status401Unauthorized, "unauthenticated", "Send a bearer token in the Authorization header.");

    /// <summary>Writes a problem straight to a response (for middleware that runs outside a function).</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string detail) =>
        new ProblemResult(status, code, detail, null).ExecuteAsync(context);

    /// <summary>Writes the 503 of a store that is unavailable for now, with <c>Retry-After</c> (for the exception middlewares).</summary>
    public static Task WriteUnavailableAsync(HttpContext context, TimeSpan? retryAfter) =>
        new ProblemResult(StatusCodes.Status503ServiceUnavailable, "store-unavailable", "The store is busy or unavailable; retry after the time in Retry-After.", null, retryAfter ?? DefaultRetryAfter)
            .ExecuteAsync(context);

    private sealed class ProblemResult(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? fields, TimeSpan? retryAfter = null) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            if (retryAfter is { } wait)
            {
                // Whole seconds (RFC 9110), rounded up so that a client never comes back too early.
                httpContext.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            ProblemDetails problem = fields is null
                ? new ProblemDetails()
                : new HttpValidationProblemDetails(fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));
            problem.Status = status;
            problem.Title = TitleOf(status);
            problem.Type = $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}";
            problem.Detail = detail;
            problem.Instance = httpContext.Request.Path;
            problem.Extensions["code"] = code;
            problem.Extensions["traceId"] = Activity.Current?.Id ?? httpContext.TraceIdentifier;

            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = ContentType;
            await JsonSerializer.SerializeAsync(httpContext.Response.Body, problem, problem.GetType(), ApiJson.Options, httpContext.RequestAborted);
        }

        private static string TitleOf(int status) => status switch
        {
            400 => "The request is invalid.",
            401 => "Authentication is required.",
            404 => "Not found.",
            405 => "The method is not allowed.",
            409 => "Not allowed in the current state.",
            412 => "The precondition failed.",
            413 => "The request body is too large.",
            415 => "The content type is not supported.",
            422 => "The request cannot be processed.",
            503 => "The service is unavailable for now.",
            _ => "The request failed.",
        };
    }
}
