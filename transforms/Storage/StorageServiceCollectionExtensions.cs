using AiGateway.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Storage;

/// <summary>Registers the gateway's database (<see cref="GatewayStorage"/>: Postgres or the embedded store) and the stores on it.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Decides where the tables live and adds that database; its migrations and schema check run at start-up and stop it on failure.</summary>
    public static IServiceCollection AddGatewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = GatewayStorage.From(configuration);
        services.AddSingleton(storage);
        if (storage.PostgresConnectionString is { } postgres)
        {
            services.AddSingleton(_ => new PostgresDatabase(postgres));
            services.AddHostedService<PostgresMigrator>();
        }
        else
        {
            services.AddSingleton(sp => new EmbeddedDatabase(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDir));
            services.AddHostedService<EmbeddedMigrator>();
        }

        return services;
    }

    /// <summary>Adds the <typeparamref name="TStore"/> of the database <see cref="AddGatewayStorage"/> chose.</summary>
    public static IServiceCollection AddStore<TStore, TPostgres, TEmbedded>(this IServiceCollection services)
        where TStore : class
        where TPostgres : class, TStore
        where TEmbedded : class, TStore
    {
        if (GatewayStorage.Of(services).IsPostgres)
        {
            services.AddSingleton<TStore, TPostgres>();
        }
        else
        {
            services.AddSingleton<TStore, TEmbedded>();
        }

        return services;
    }
}
