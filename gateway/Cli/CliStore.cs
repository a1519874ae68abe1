using AiGateway.Config;
using AiGateway.Transforms.Storage;

namespace AiGateway.Cli;

/// <summary>Opens the store the gateway itself would use, from the same configuration sources, for the CLI verbs.</summary>
internal static class CliStore
{
    /// <summary>Postgres (migrated) when <c>ConnectionStrings:Postgres</c> is set, else the embedded store under <c>Gateway:DataDir</c>.</summary>
    public static async Task<T> OpenAsync<T>(string[] configArgs, Func<PostgresDatabase, T> onPostgres, Func<EmbeddedDatabase, T> onEmbedded)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(configArgs)
            .Build();
        if (GatewayStorage.From(configuration).PostgresConnectionString is { } postgres)
        {
            var database = new PostgresDatabase(postgres);
            await database.MigrateAsync();
            return onPostgres(database);
        }

        var dataDir = configuration[$"{GatewayOptions.SectionName}:DataDir"] ?? new GatewayOptions().DataDir;
        return onEmbedded(new EmbeddedDatabase(dataDir));
    }
}
