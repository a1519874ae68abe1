using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using AiGateway.Config;

namespace AiGateway.Cli;

/// <summary>
/// The gateway's command line, parsed by System.CommandLine: the operator verbs (<c>keys create|list|revoke</c>,
/// <c>orgs show|set</c>, <c>validate</c>, <c>inflight list|cancel</c>) run instead of the server and read the same configuration (and so the same
/// store, or, for <c>inflight</c>, the same admin key); <c>--help</c> at every level prints usage and the exit codes. Without a verb the arguments are server options
/// (<c>--urls</c>, <c>--Gateway:X=…</c>) and go to the host untouched.
/// </summary>
public static class GatewayCommandLine
{
    private const string Description = """
        AiGateway: a transparent reverse proxy in front of the OpenAI API, with caching, in-flight dedupe, model modes and a cost log.

        Without a command it runs the gateway; every other argument is a server option, read as ASP.NET Core
        configuration: --urls http://127.0.0.1:8080 (default http://localhost:8080), --Gateway:Auth:Mode=VirtualKeys,
        --ConnectionStrings:Postgres=... . The commands take the same configuration options (e.g. --Gateway:DataDir DIR,
        --ConnectionStrings:Postgres CS) and so use the same store as the gateway.
        """;

    /// <summary>
    /// Runs the command line: a verb, or <paramref name="server"/> with the unchanged arguments when there is none.
    /// Returns the process exit code (<see cref="ExitCodes"/>).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, Func<string[], Task<int>>? server = null)
    {
        var root = new RootCommand(Description) { TreatUnmatchedTokensAsErrors = false };
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(OrgsCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(InflightCommand.Create());
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new ExitCodesHelpAction((HelpAction)help.Action!);
        root.SetAction(async (parseResult, _) =>
        {
            // A first word that is no verb is a mistyped verb, not a server option (those start with -- or / or hold =).
            if (args.Length > 0 && IsWord(args[0]))
            {
                var verbs = root.Subcommands.Select(c => c.Name);
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                    $"unknown command '{args[0]}'{DidYouMean(args[0], verbs)} Run with --help for usage.");
                return ExitCodes.Usage;
            }

            return server is null ? ExitCodes.Usage : await server(args);
        });

        // Arguments go to the host as they are: no response files (@file) read in their place.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var invocation = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            // The server handles Ctrl+C itself; verbs are short.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        if (parseResult.Action is ParseErrorAction)
        {
            // A mistyped option is the likely cause of a missing one: name it first, then System.CommandLine's message and
            // the verb's usage, with the exit code of bad usage.
            if (ConfigArguments.Read(parseResult).Error is { } mistyped)
            {
                await invocation.Error.WriteLineAsync(mistyped);
            }

            await parseResult.InvokeAsync(invocation);
            return ExitCodes.Usage;
        }

        return await parseResult.InvokeAsync(invocation);
    }

    /// <summary>The action of a command that needs a sub-verb (<c>keys</c>, <c>orgs</c>): names the nearest one, or asks for one.</summary>
    internal static async Task<int> MissingVerbAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var command = parseResult.CommandResult.Command;
        var error = parseResult.InvocationConfiguration.Error;
        var verbs = command.Subcommands.Select(c => c.Name).ToList();
        var typed = parseResult.UnmatchedTokens.FirstOrDefault();
        if (typed is not null && IsWord(typed))
        {
            await error.WriteLineAsync($"unknown command '{command.Name} {typed}'{DidYouMean(typed, verbs, command.Name + " ")} Run '{command.Name} --help' for usage.");
        }
        else
        {
            await error.WriteLineAsync($"'{command.Name}' needs a command: {string.Join(", ", verbs)}. Run '{command.Name} --help' for usage.");
        }

        return ExitCodes.Usage;
    }

    private static bool IsWord(string arg) => !arg.StartsWith('-') && !arg.StartsWith('/') && !arg.Contains('=');

    private static string DidYouMean(string typed, IEnumerable<string> verbs, string prefix = "") =>
        NearestName.Find(typed, verbs) is { } nearest ? $": did you mean '{prefix}{nearest}'?" : ".";
}
