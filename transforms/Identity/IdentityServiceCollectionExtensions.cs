using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiGateway.Transforms.Identity;

/// <summary>Registers who a call is: the key store, the authenticator and the identity step.</summary>
public static class IdentityServiceCollectionExtensions
{
    /// <summary>Adds the identity step and the <c>api_keys</c> store; call it after <c>AddGatewayStorage</c>.</summary>
    public static IServiceCollection AddGatewayIdentity(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddStore<IApiKeyStore, PostgresApiKeyStore, SqliteApiKeyStore>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<IdentityMiddleware>();
        return services;
    }
}
