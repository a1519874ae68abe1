using System.CommandLine;
using AiGateway.Transforms.Configuration;

namespace AiGateway.Cli;

/// <summary>
/// The <c>validate [--config FILE]</c> verb: composes the gateway exactly as start-up does — the same configuration
/// sources and the same checks — and reports every configuration error without starting it. <c>--config FILE</c>
/// stands in for <c>appsettings.json</c>; environment variables and further <c>--Key=value</c> options apply as usual.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>The <c>validate</c> command.</summary>
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "the file to check instead of ./appsettings.json", HelpName = "FILE" };
        var validate = new Command("validate", "Check the configuration as start-up does, without starting the gateway; every error is listed.") { TreatUnmatchedTokensAsErrors = false };
        validate.Options.Add(config);
        validate.SetAction(async (parseResult, _) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var (configArgs, usage) = ConfigArguments.Read(parseResult);
            if (usage is not null)
            {
                await error.WriteLineAsync(usage);
                return ExitCodes.Usage;
            }

            return await RunAsync(parseResult.GetValue(config), configArgs, parseResult.InvocationConfiguration.Output, error);
        });
        return validate;
    }

    /// <summary>Checks <paramref name="file"/> (or ./appsettings.json): 0 when the configuration is valid, 1 with every error listed otherwise.</summary>
    private static async Task<int> RunAsync(string? file, string[] configArgs, TextWriter output, TextWriter error)
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
                return 1;
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
            return 0;
        }
        catch (GatewayConfigurationException ex)
        {
            await error.WriteLineAsync($"{name}: {ex.Message}");
            return 1;
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
            return 1;
        }
        finally
        {
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }
}
