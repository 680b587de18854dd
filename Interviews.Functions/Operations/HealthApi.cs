using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Operations;

/// <summary>Liveness and store reachability for load balancers and probes; anonymous, and tells nothing about data.</summary>
public sealed class HealthApi(IDocumentContainer container)
{
    [AllowAnonymous]
    [Function("Health")]
    public async Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await container.PingAsync(timeout.Token);
            return new JsonResult<HealthResponse>(new HealthResponse("Healthy", "Reachable"));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new JsonResult<HealthResponse>(new HealthResponse("Unhealthy", "Unreachable"), StatusCodes.Status503ServiceUnavailable);
        }
    }
}

public sealed record HealthResponse(string Status, string Store);
