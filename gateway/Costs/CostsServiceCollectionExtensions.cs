namespace AiGateway.Costs;

/// <summary>Registers the costs export's store.</summary>
public static class CostsServiceCollectionExtensions
{
    /// <summary>Adds the rollup reader: Postgres when <c>ConnectionStrings:Postgres</c> is set, else the embedded store.</summary>
    public static IServiceCollection AddCostsExport(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres")))
        {
            services.AddSingleton<ICostRollupStore, SqliteCostRollupStore>();
        }
        else
        {
            services.AddSingleton<ICostRollupStore, PostgresCostRollupStore>();
        }

        return services;
    }
}
