using Interviews.Functions.Http;
using Interviews.Functions.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Interviews.Functions.Operations;

/// <summary>Liveness and store health for load balancers and probes; anonymous, and tells nothing about data.</summary>
public sealed class HealthApi(StoreHealth store)
{
    [AllowAnonymous]
    [Function("Health")]
    public async Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await store.TakesWritesAsync(cancellationToken)
            ? new JsonResult<HealthResponse>(new HealthResponse("Healthy", "Reachable"))
            : new JsonResult<HealthResponse>(new HealthResponse("Unhealthy", "Unreachable"), StatusCodes.Status503ServiceUnavailable);
}

public sealed record HealthResponse(string Status, string Store);

/// <summary>
/// Whether the store takes a write now (<see cref="IDocumentContainer.ProbeAsync"/>: a full disk or a
/// held lock shows, not only a store that answers reads), within <see cref="Timeout"/>. One probe
/// answers every health request of the next <see cref="CacheFor"/>, so that an anonymous endpoint
/// polled hard writes at most once a second.
/// </summary>
public sealed class StoreHealth(IDocumentContainer container, TimeProvider time)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _probing = new(1, 1);
    private (DateTimeOffset At, bool Healthy)? _last;

    public async Task<bool> TakesWritesAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } known)
        {
            return known;
        }

        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } probedMeanwhile)
            {
                return probedMeanwhile;
            }

            var healthy = await ProbeAsync(cancellationToken);
            _last = (time.GetUtcNow(), healthy);
            return healthy;
        }
        finally
        {
            _probing.Release();
        }
    }

    private bool? Fresh() => _last is { } last && time.GetUtcNow() - last.At < CacheFor ? last.Healthy : null;

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await container.ProbeAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
