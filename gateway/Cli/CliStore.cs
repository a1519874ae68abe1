using System.CommandLine;
using AiGateway.Config;
using AiGateway.Transforms.Storage;

namespace AiGateway.Cli;

/// <summary>Opens the store the gateway itself would use, from the same configuration sources, for the CLI verbs.</summary>
internal static class CliStore
{
    /// <summary>Postgres (migrated) when <c>ConnectionStrings:Postgres</c> is set, else the embedded store under <c>Gateway:DataDir</c>.</summary>
    public static async Task<T> OpenAsync<T>(string[] configArgs, Func<PostgresDatabase, T> onPostgres, Func<EmbeddedDatabase, T> onEmbedded)
    {
        var configuration = Read(configArgs);
        if (GatewayStorage.From(configuration).PostgresConnectionString is { } postgres)
        {
            var database = new PostgresDatabase(postgres);
            await database.MigrateAsync();
            return onPostgres(database);
        }

        return onEmbedded(new EmbeddedDatabase(DataDir(configuration)));
    }

    /// <summary>
    /// Runs a verb on the store: its unmatched tokens are the configuration options (a usage error otherwise), and a
    /// store that cannot be opened or used is reported as a failure, not a crash.
    /// </summary>
    public static async Task<int> RunAsync<T>(
        ParseResult parseResult, Func<PostgresDatabase, T> onPostgres, Func<EmbeddedDatabase, T> onEmbedded, Func<T, TextWriter, TextWriter, Task<int>> run)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var (configArgs, usage) = ConfigArguments.Read(parseResult);
        if (usage is not null)
        {
            await error.WriteLineAsync(usage);
            return ExitCodes.Usage;
        }

        try
        {
            return await run(await OpenAsync(configArgs, onPostgres, onEmbedded), output, error);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            await error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.Failure;
        }
    }

    /// <summary>The configuration the gateway would read from the working directory, the environment and <paramref name="configArgs"/>.</summary>
    public static IConfiguration Read(string[] configArgs) =>
        new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(configArgs)
            .Build();

    /// <summary>The embedded store's folder: <c>Gateway:DataDir</c>, or its default.</summary>
    public static string DataDir(IConfiguration configuration) =>
        configuration[$"{GatewayOptions.SectionName}:DataDir"] ?? new GatewayOptions().DataDir;
}
