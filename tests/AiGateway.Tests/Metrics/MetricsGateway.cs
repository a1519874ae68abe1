using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.CostLog;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Tests.Metrics;

/// <summary>A test gateway on Postgres (a fresh database) or on the embedded store, with rows written through its own log store.</summary>
internal sealed class MetricsGateway : IAsyncDisposable
{
    private readonly TestServices.TempDatabase? _database;

    private MetricsGateway(TestGateway gateway, TestServices.TempDatabase? database)
    {
        Gateway = gateway;
        _database = database;
    }

    /// <summary>The gateway.</summary>
    public TestGateway Gateway { get; }

    /// <summary>The Postgres database's connection string; only for a gateway on Postgres.</summary>
    public string ConnectionString => _database?.ConnectionString ?? throw new InvalidOperationException("This gateway runs on the embedded store.");

    /// <summary>Starts a gateway on <paramref name="store"/> (<c>postgres</c> or <c>sqlite</c>) and writes <paramref name="rows"/> to its log and rollup.</summary>
    public static async Task<MetricsGateway> StartAsync(string store, IReadOnlyList<PerfLogRecord> rows)
    {
        var database = store == "postgres" ? await TestServices.CreateDatabaseAsync() : null;
        // Nothing answers upstream: these gateways only serve what the log holds.
        var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9/"), MetricsApi.Settings(database?.ConnectionString));
        await gateway.Services.GetRequiredService<IPerfLogStore>().WriteAsync(rows, CancellationToken.None);
        return new MetricsGateway(gateway, database);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
