using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Storage;

/// <summary>
/// Where the gateway keeps its tables: Postgres when <c>ConnectionStrings:Postgres</c> is set, else the embedded store
/// under <c>Gateway:DataDir</c>. Decided once, here; every store is registered through
/// <see cref="StorageServiceCollectionExtensions.AddStore{TStore, TPostgres, TEmbedded}"/>, which asks this.
/// </summary>
public sealed class GatewayStorage
{
    private GatewayStorage(string? postgres) => PostgresConnectionString = postgres;

    /// <summary>The Postgres connection string, or null for the embedded store.</summary>
    public string? PostgresConnectionString { get; }

    /// <summary>Whether the tables live in Postgres.</summary>
    public bool IsPostgres => PostgresConnectionString is not null;

    /// <summary>The choice the configuration makes.</summary>
    public static GatewayStorage From(IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        return new GatewayStorage(string.IsNullOrWhiteSpace(postgres) ? null : postgres);
    }

    /// <summary>The choice registered by <see cref="StorageServiceCollectionExtensions.AddGatewayStorage"/>.</summary>
    public static GatewayStorage Of(IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(GatewayStorage))?.ImplementationInstance as GatewayStorage
        ?? throw new InvalidOperationException("Call AddGatewayStorage before registering stores.");
}
