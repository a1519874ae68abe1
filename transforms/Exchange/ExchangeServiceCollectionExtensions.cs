using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Exchange;

/// <summary>Registers the step that reads an understood call's body.</summary>
public static class ExchangeServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AiExchangeMiddleware"/>.</summary>
    public static IServiceCollection AddAiExchange(this IServiceCollection services) => services.AddSingleton<AiExchangeMiddleware>();
}
