using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Prices;

/// <summary>Registers the price table: <c>model_prices</c> in the gateway's store, seeded from the shipped file, held in memory.</summary>
public static class PricesServiceCollectionExtensions
{
    /// <summary>Adds the price store, the in-memory catalog and its loader; call it after <c>AddGatewayStorage</c>.</summary>
    public static IServiceCollection AddPrices(this IServiceCollection services)
    {
        services.AddStore<IModelPriceStore, PostgresModelPriceStore, SqliteModelPriceStore>();
        services.AddSingleton<PriceCatalog>();
        services.AddHostedService<PriceCatalogLoader>();
        return services;
    }
}
