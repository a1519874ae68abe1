using System.CommandLine;
using System.Text;
using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Storage;
using DiffPlex.Renderer;

namespace AiGateway.Cli;

/// <summary>
/// The <c>validate [--config FILE] [--fix] [--database]</c> verb: composes the gateway exactly as start-up does — the
/// same configuration sources and the same checks — and reports every configuration error without starting it.
/// <c>--config FILE</c> stands in for <c>appsettings.json</c>; environment variables and further <c>--Key=value</c>
/// options apply as usual. <c>--fix</c> corrects in the file each error whose hint names exactly one correction;
/// <c>--database</c> adds the schema check of start-up on the configured store, changing nothing.
/// </summary>
internal static class ValidateCommand
{
    private const string DefaultFile = "appsettings.json";

    /// <summary>The <c>validate</c> command.</summary>
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "the file to check instead of ./appsettings.json", HelpName = "FILE" };
        var fix = new Option<bool>("--fix")
        {
            Description = "correct in the file every error with exactly one correction (a misspelt name one edit away), keeping its formatting; " +
                "the original is kept as FILE.bak and a diff printed; errors left are listed (exit 1 while any is left)",
        };
        var database = new Option<bool>("--database") { Description = "also compare the configured store's schema (Postgres or the embedded store) with what the migrations define, changing nothing" };
        var validate = new Command("validate", "Check the configuration as start-up does, without starting the gateway; every error is listed.") { TreatUnmatchedTokensAsErrors = false };
        validate.Options.Add(config);
        validate.Options.Add(fix);
        validate.Options.Add(database);
        validate.SetAction(async (parseResult, _) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var (configArgs, usage) = ConfigArguments.Read(parseResult);
            if (usage is not null)
            {
                await error.WriteLineAsync(usage);
                return ExitCodes.Usage;
            }

            var file = parseResult.GetValue(config);
            if (file is not null && !File.Exists(file))
            {
                await error.WriteLineAsync($"error: {file} does not exist.");
                return ExitCodes.Failure;
            }

            Func<IServiceProvider, Task<int>>? onValid = parseResult.GetValue(database) ? services => CheckDatabaseAsync(services, output, error) : null;
            return parseResult.GetValue(fix)
                ? await FixAsync(file ?? DefaultFile, configArgs, onValid, output, error)
                : await ValidateAsync(file, configArgs, onValid, output, error);
        });
        return validate;
    }

    /// <summary>Checks <paramref name="file"/> (or ./appsettings.json): 0 when valid, 1 with every error listed otherwise.</summary>
    private static async Task<int> ValidateAsync(string? file, string[] configArgs, Func<IServiceProvider, Task<int>>? onValid, TextWriter output, TextWriter error)
    {
        var name = file ?? DefaultFile;
        var (errors, notJson, result) = await CheckAsync(file, configArgs, async services =>
        {
            await output.WriteLineAsync($"{name}: the configuration is valid.");
            return onValid is null ? ExitCodes.Success : await onValid(services);
        });
        if (notJson is not null)
        {
            await error.WriteLineAsync($"{name}: {notJson}");
        }
        else if (errors.Count > 0)
        {
            await error.WriteLineAsync($"{name}: {GatewayConfigurationException.Describe(errors)}");
        }

        return result;
    }

    /// <summary>
    /// Corrects <paramref name="file"/> where each error names one correction of a string value the file holds once;
    /// keeps the original as <c>FILE.bak</c>, prints the diff, then checks the corrected file as <c>validate</c> does.
    /// </summary>
    private static async Task<int> FixAsync(string file, string[] configArgs, Func<IServiceProvider, Task<int>>? onValid, TextWriter output, TextWriter error)
    {
        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"error: {file} does not exist.");
            return ExitCodes.Failure;
        }

        var (errors, notJson, _) = await CheckAsync(file, configArgs, null);
        if (notJson is not null || errors.Count == 0)
        {
            // Nothing a name correction could mend: the verdict as validate gives it.
            return await ValidateAsync(file, configArgs, onValid, output, error);
        }

        var original = await File.ReadAllBytesAsync(file);
        var editor = new JsonConfigEditor(original);
        var fixes = errors.Select(ConfigFix.Parse).OfType<ConfigFix>()
            .Select(fix => (Fix: fix, Targets: editor.Values.Where(v => string.Equals(v.Key, fix.Key, StringComparison.OrdinalIgnoreCase)).ToList()))
            // Once in the file, and not also corrected by another error: otherwise which correction is meant is not clear.
            .Where(f => f.Targets.Count == 1 && f.Fix.Apply(f.Targets[0].Value) is not null)
            .GroupBy(f => f.Targets[0].Start)
            .Where(g => g.Count() == 1)
            .Select(g => g.Single())
            .ToList();
        if (fixes.Count == 0)
        {
            await error.WriteLineAsync($"{file}: no error has exactly one correction in the file; nothing was changed.");
            return await ValidateAsync(file, configArgs, onValid, output, error);
        }

        foreach (var (fix, targets) in fixes)
        {
            editor.Replace(targets[0].Start, targets[0].Length, fix.Apply(targets[0].Value)!);
        }

        var corrected = editor.Result();
        await File.WriteAllBytesAsync(file + ".bak", original);
        await File.WriteAllBytesAsync(file, corrected);
        await output.WriteAsync(new UnidiffRenderer(contextLines: 2).Generate(
            Encoding.UTF8.GetString(original), Encoding.UTF8.GetString(corrected), file + ".bak", file, ignoreWhitespace: false, ignoreCase: false));
        await output.WriteLineAsync($"{file}: fixed {fixes.Count} error{(fixes.Count == 1 ? "" : "s")}; the original is {file}.bak.");

        var (left, _, result) = await CheckAsync(file, configArgs, async services =>
        {
            await output.WriteLineAsync($"{file}: the configuration is valid.");
            return onValid is null ? ExitCodes.Success : await onValid(services);
        });
        if (left.Count > 0)
        {
            await error.WriteLineAsync(
                $"{file}: the configuration is invalid ({left.Count} error{(left.Count == 1 ? "" : "s")} left, none with exactly one correction in the file):"
                + string.Concat(left.Select(e => Environment.NewLine + "  - " + e)));
        }

        return result;
    }

    /// <summary>
    /// Composes the gateway on <paramref name="file"/> (or ./appsettings.json) as start-up does. Returns its errors,
    /// or the JSON reader's message when it is not JSON, with exit code 1; or, when it is valid, <paramref name="onValid"/>'s result.
    /// </summary>
    private static async Task<(IReadOnlyList<string> Errors, string? NotJson, int Result)> CheckAsync(
        string? file, string[] configArgs, Func<IServiceProvider, Task<int>>? onValid)
    {
        // The composed host logs at start-up; the verb's output is the verdict alone unless the caller asks for more.
        string[] args = ["--Logging:LogLevel:Default=Warning", .. configArgs];
        string? scratch = null;
        var contentRoot = Directory.GetCurrentDirectory();
        if (file is not null)
        {
            // The host reads appsettings.json from its content root: give it a root holding only FILE under that name.
            scratch = Directory.CreateTempSubdirectory("aigw-validate-").FullName;
            File.Copy(file, Path.Combine(scratch, DefaultFile));
            contentRoot = scratch;
        }

        try
        {
            await using var app = GatewayApp.Build(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot });
            return ([], null, onValid is null ? ExitCodes.Success : await onValid(app.Services));
        }
        catch (GatewayConfigurationException ex)
        {
            return (ex.Errors, null, ExitCodes.Failure);
        }
        catch (InvalidDataException ex)
        {
            // Not JSON at all (strict JSON, CONTRACT §1): the JSON reader says where.
            var reasons = new List<string>();
            for (Exception? current = ex.InnerException; current is not null; current = current.InnerException)
            {
                reasons.Add(current.Message);
            }

            return ([], $"the configuration is invalid (1 error):{Environment.NewLine}  - {string.Join(" ", reasons)}", ExitCodes.Failure);
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
