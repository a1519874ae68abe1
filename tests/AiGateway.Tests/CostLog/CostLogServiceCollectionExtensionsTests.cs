using AiGateway.Config;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Prices;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace AiGateway.Tests.CostLog;

public sealed class CostLogServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddCostLog_NoPostgres_UsesEmbeddedStore()
    {
        await using var services = Build(new Dictionary<string, string?> { ["Gateway:DataDir"] = Path.GetTempPath() });

        Assert.IsType<SqlitePerfLogStore>(services.GetRequiredService<IPerfLogStore>());
        Assert.IsType<SqliteModelPriceStore>(services.GetRequiredService<IModelPriceStore>());
        AssertOneWriter(services);
    }

    [Fact]
    public async Task AddCostLog_Postgres_UsesPostgresStore()
    {
        await using var services = Build(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Database=x" });

        Assert.IsType<PostgresPerfLogStore>(services.GetRequiredService<IPerfLogStore>());
        Assert.IsType<PostgresModelPriceStore>(services.GetRequiredService<IModelPriceStore>());
        AssertOneWriter(services);
    }

    private static void AssertOneWriter(ServiceProvider services)
    {
        var writer = services.GetRequiredService<IPerfLogWriter>();
        Assert.Same(writer, services.GetServices<IHostedService>().OfType<PerfLogWriter>().Single());
        Assert.Single(services.GetServices<IHostedService>().OfType<PriceCatalogLoader>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatewayOptions(configuration);
        services.AddGatewayStorage(configuration);
        services.AddPrices();
        services.AddCostLog();
        return services.BuildServiceProvider();
    }
}
