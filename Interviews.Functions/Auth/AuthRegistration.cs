using Interviews.Functions.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Functions.Auth;

/// <summary>Authentication's services: its settings and the one validator both hosts' adapters use. Each host adds the token validation parameters it trusts.</summary>
public static class AuthRegistration
{
    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
        services.AddSettings<AuthSettings>(AuthSettings.Section);
        services.AddSingleton<BearerTokenValidator>();
        return services;
    }
}
