using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Operations;

/// <summary>The operations endpoints' services: the store's health.</summary>
public static class OperationsFeature
{
    public static IServiceCollection AddOperationsFeature(this IServiceCollection services) => services.AddSingleton<StoreHealth>();
}
