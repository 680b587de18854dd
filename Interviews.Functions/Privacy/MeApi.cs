using Interviews.Domain;
using Interviews.Functions.Auth;
using Interviews.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Privacy;

/// <summary>GET /api/me/export and DELETE /api/me: everything the service holds for the caller, and its erasure.</summary>
public sealed class MeApi(UserData userData)
{
    [Function("ExportMyData")]
    public IResult Export(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/export")] HttpRequest request,
        CurrentUser user) =>
        new ExportResult(userData, user.Id);

    /// <summary>Irreversible: needs <c>?confirm=true</c>, else a 400 naming <c>confirm</c> and nothing is erased.</summary>
    [Function("EraseMyData")]
    public async Task<IResult> Erase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "me")] HttpRequest request,
        CurrentUser user,
        CancellationToken cancellationToken)
    {
        if (request.Query["confirm"] is not [{ } confirm] || !string.Equals(confirm, "true", StringComparison.Ordinal))
        {
            return Problems.From(Error.Validation("confirm", "Erasing all your data cannot be undone: send confirm=true to go ahead."));
        }

        await userData.EraseAsync(user.Id, cancellationToken);
        return Results.NoContent();
    }

    /// <summary>Streams the export: each exporter writes its section page by page, flushing as it goes.</summary>
    private sealed class ExportResult(UserData userData, Guid userId) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.Headers.ContentDisposition = "attachment; filename=\"interviews-export.json\"";
            httpContext.Response.Headers.CacheControl = "no-store";
            await userData.ExportAsync(userId, httpContext.Response.Body, httpContext.RequestAborted);
        }
    }
}
