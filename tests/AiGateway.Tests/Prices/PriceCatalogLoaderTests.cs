using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Prices;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AiGateway.Tests.Prices;

public sealed class PriceCatalogLoaderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("aigw-prices-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task LoadAsync_Postgres_SeedsShippedTableExactly()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = new PostgresDatabase(db.ConnectionString);
        await database.MigrateAsync();
        var store = new PostgresModelPriceStore(database);
        var catalog = new PriceCatalog(NullLogger<PriceCatalog>.Instance);

        await Loader(catalog, store).LoadAsync(CancellationToken.None);

        var shipped = PriceTableFile.Load(PriceTableFile.DefaultPath);
        var stored = await store.LoadAsync(CancellationToken.None);
        Assert.Equal(Sorted(shipped), Sorted(stored));
        Assert.Equal(0.0004503m, catalog.Cost("gpt-4o-mini", Now, new TokenUsage(1234, 1000, 567)));
        await using var command = database.DataSource.CreateCommand("SELECT cached_input_per_1m::text FROM model_prices WHERE model = 'o4-mini'");
        Assert.Equal("0.2750000000", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task LoadAsync_PriceRowAddedInPostgres_AppliesFromItsEffectiveDate()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = new PostgresDatabase(db.ConnectionString);
        await database.MigrateAsync();
        var store = new PostgresModelPriceStore(database);
        var catalog = new PriceCatalog(NullLogger<PriceCatalog>.Instance);
        var loader = Loader(catalog, store);
        await loader.LoadAsync(CancellationToken.None);
        var cut = new DateTimeOffset(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var insert = database.DataSource.CreateCommand(
            "INSERT INTO model_prices VALUES ('gpt-4o-mini', 0.10, 0.05, 0.40, '2025-10-01T00:00:00Z'), ('acme-llm', 1, 1, 1, '2025-01-01T00:00:00Z')"))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await loader.LoadAsync(CancellationToken.None);

        var usage = new TokenUsage(1_000_000, 0, 1_000_000);
        Assert.Equal(0.75m, catalog.Cost("gpt-4o-mini", cut.AddTicks(-1), usage));
        Assert.Equal(0.50m, catalog.Cost("gpt-4o-mini-2024-07-18", cut, usage));
        Assert.Equal(2m, catalog.Cost("acme-llm", cut, usage));
    }

    [Fact]
    public async Task LoadAsync_EmbeddedStore_SeedsAndReadsBackExactly()
    {
        var store = new SqliteModelPriceStore(new EmbeddedDatabase(_dataDir));
        var catalog = new PriceCatalog(NullLogger<PriceCatalog>.Instance);

        await Loader(catalog, store).LoadAsync(CancellationToken.None);
        await Loader(catalog, store).LoadAsync(CancellationToken.None);

        Assert.Equal(Sorted(PriceTableFile.Load(PriceTableFile.DefaultPath)), Sorted(await store.LoadAsync(CancellationToken.None)));
        Assert.Equal(0.0004503m, catalog.Cost("gpt-4o-mini", Now, new TokenUsage(1234, 1000, 567)));
    }

    [Fact]
    public async Task LoadAsync_StoreUnreachable_FilePricesStillApply()
    {
        await using var database = new PostgresDatabase("Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x;Timeout=2");
        var catalog = new PriceCatalog(NullLogger<PriceCatalog>.Instance);

        await Loader(catalog, new PostgresModelPriceStore(database)).LoadAsync(CancellationToken.None);

        Assert.NotNull(catalog.Current.Find("gpt-5", Now));
    }

    [Fact]
    public async Task LoadAsync_InvalidPriceFile_StopsStartupNamingTheFile()
    {
        var file = Path.Combine(_dataDir, "prices.json");
        await File.WriteAllTextAsync(file, """{"prices":[{"model":"m","output":1,"effective_from":"2025-01-01"}]}""");
        var store = new SqliteModelPriceStore(new EmbeddedDatabase(_dataDir));

        var error = await Assert.ThrowsAsync<FormatException>(
            () => Loader(new PriceCatalog(NullLogger<PriceCatalog>.Instance), store, file).LoadAsync(CancellationToken.None));

        Assert.Contains(file, error.Message);
        Assert.Contains("input is missing", error.Message);
    }

    [Fact]
    public void Cost_UnknownModel_Null()
    {
        var catalog = new PriceCatalog(NullLogger<PriceCatalog>.Instance);
        catalog.Replace(new PriceBook(PriceTableFile.Load(PriceTableFile.DefaultPath)));

        Assert.Null(catalog.Cost("my-own-model", Now, new TokenUsage(10, 0, 10)));
        Assert.Null(catalog.Cost("my-own-model", Now, new TokenUsage(10, 0, 10)));
    }

    private static PriceCatalogLoader Loader(PriceCatalog catalog, IModelPriceStore store, string? file = null)
    {
        var options = new FixedOptionsMonitor<GatewayOptions>(new GatewayOptions());
        return new PriceCatalogLoader(catalog, store, options, TimeProvider.System, NullLogger<PriceCatalogLoader>.Instance)
        {
            PriceFile = file ?? PriceTableFile.DefaultPath,
        };
    }

    private static List<ModelPrice> Sorted(IEnumerable<ModelPrice> prices)
        => prices.OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.EffectiveFrom).ToList();
}
