using System.CommandLine;
using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Storage;

namespace AiGateway.Cli;

/// <summary>
/// The <c>validate [--config FILE] [--database]</c> verb: composes the gateway exactly as start-up does — the same
/// configuration sources and the same checks — and reports every configuration error without starting it. <c>--config
/// FILE</c> stands in for <c>appsettings.json</c>; environment variables and further <c>--Key=value</c> options apply as
/// usual. <c>--database</c> adds the schema check of start-up on the configured store, changing nothing.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>The <c>validate</c> command.</summary>
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "the file to check instead of ./appsettings.json", HelpName = "FILE" };
        var validate = new Command("validate", "Check the configuration as start-up does, without starting the gateway; every error is listed.") { TreatUnmatchedTokensAsErrors = false };
        var database = new Option<bool>("--database") { Description = "also compare the configured store's schema (Postgres or the embedded store) with what the migrations define, changing nothing" };
        validate.Options.Add(config);
        validate.Options.Add(database);
        validate.SetAction(async (parseResult, _) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var (configArgs, usage) = ConfigArguments.Read(parseResult);
            if (usage is not null)
            {
                await error.WriteLineAsync(usage);
                return ExitCodes.Usage;
            }

            return await RunAsync(parseResult.GetValue(config), parseResult.GetValue(database), configArgs, parseResult.InvocationConfiguration.Output, error);
        });
        return validate;
    }

    /// <summary>Checks <paramref name="file"/> (or ./appsettings.json), and with <paramref name="database"/> the store: 0 when valid, 1 with every error listed otherwise.</summary>
    private static async Task<int> RunAsync(string? file, bool database, string[] configArgs, TextWriter output, TextWriter error)
    {
        // The composed host logs at start-up; the verb's output is the verdict alone unless the caller asks for more.
        string[] rest = ["--Logging:LogLevel:Default=Warning", .. configArgs];
        var name = file ?? "appsettings.json";
        string? scratch = null;
        var contentRoot = Directory.GetCurrentDirectory();
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                await error.WriteLineAsync($"error: {file} does not exist.");
                return ExitCodes.Failure;
            }

            // The host reads appsettings.json from its content root: give it a root holding only FILE under that name.
            scratch = Directory.CreateTempSubdirectory("aigw-validate-").FullName;
            File.Copy(file, Path.Combine(scratch, "appsettings.json"));
            contentRoot = scratch;
        }

        try
        {
            await using var app = GatewayApp.Build(new WebApplicationOptions { Args = rest, ContentRootPath = contentRoot });
            await output.WriteLineAsync($"{name}: the configuration is valid.");
            return database ? await CheckDatabaseAsync(app.Services, output, error) : ExitCodes.Success;
        }
        catch (GatewayConfigurationException ex)
        {
            await error.WriteLineAsync($"{name}: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (InvalidDataException ex)
        {
            // Not JSON at all (strict JSON, CONTRACT §1): the JSON reader says where.
            var reasons = new List<string>();
            for (Exception? current = ex.InnerException; current is not null; current = current.InnerException)
            {
                reasons.Add(current.Message);
            }

            await error.WriteLineAsync($"{name}: the configuration is invalid (1 error):{Environment.NewLine}  - {string.Join(" ", reasons)}");
            return ExitCodes.Failure;
        }
        finally
        {
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>The schema check start-up runs, on the store the configuration names, without migrating or starting anything.</summary>
    private static async Task<int> CheckDatabaseAsync(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var postgres = services.GetService<PostgresDatabase>();
        var store = postgres is null ? $"the embedded store {services.GetRequiredService<EmbeddedDatabase>().Path}" : "the Postgres schema";
        SchemaReport report;
        try
        {
            report = postgres is null ? await services.GetRequiredService<EmbeddedDatabase>().CheckSchemaAsync() : await postgres.CheckSchemaAsync();
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            await error.WriteLineAsync($"database: {store} could not be checked: {ex.Message}");
            return ExitCodes.Failure;
        }

        if (report.Differences.Count > 0)
        {
            await error.WriteLineAsync("database: " + SchemaMismatchException.Describe(char.ToUpperInvariant(store[0]) + store[1..], report.Differences));
            return ExitCodes.Failure;
        }

        await output.WriteLineAsync(report.Pending.Count == 0
            ? $"database: {store} matches its migrations."
            : $"database: {store} matches the migrations it has; {report.Pending.Count} pending, which start-up applies: {string.Join(", ", report.Pending)}.");
        return ExitCodes.Success;
    }
}
