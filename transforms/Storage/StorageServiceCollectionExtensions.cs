using AiGateway.Config;
using AiGateway.Transforms.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Storage;

/// <summary>Registers the gateway's stores: Postgres when <c>ConnectionStrings:Postgres</c> is set, else the embedded store.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Adds the stores; their migrations and schema check run at start-up and stop it on failure.</summary>
    public static IServiceCollection AddGatewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            services.AddSingleton(sp => new EmbeddedDatabase(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDir));
            services.AddHostedService<EmbeddedMigrator>();
            services.AddSingleton<IApiKeyStore, SqliteApiKeyStore>();
        }
        else
        {
            services.AddSingleton(_ => new PostgresDatabase(postgres));
            services.AddHostedService<PostgresMigrator>();
            services.AddSingleton<IApiKeyStore, PostgresApiKeyStore>();
        }

        return services;
    }
}
