using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiGateway.Transforms.Endpoints;

/// <summary>Registers the step that recognises and stamps understood calls.</summary>
public static class EndpointsServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AiCallMiddleware"/>.</summary>
    public static IServiceCollection AddAiCalls(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AiCallMiddleware>();
        return services;
    }
}
