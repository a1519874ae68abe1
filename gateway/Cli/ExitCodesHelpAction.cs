using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace AiGateway.Cli;

/// <summary>System.CommandLine's own help, followed by the exit codes, so that <c>--help</c> at every level states them.</summary>
internal sealed class ExitCodesHelpAction(HelpAction help) : SynchronousCommandLineAction
{
    /// <inheritdoc/>
    public override bool ClearsParseErrors => true;

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult)
    {
        help.Invoke(parseResult);
        if (parseResult.CommandResult.Command is not RootCommand)
        {
            // System.CommandLine calls them arguments for the application; for a verb they are its configuration.
            parseResult.InvocationConfiguration.Output.WriteLine(
                "The additional arguments are configuration options, as for the gateway: --Gateway:DataDir DIR, --ConnectionStrings:Postgres CS …" + Environment.NewLine);
        }

        parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.Help);
        return ExitCodes.Success;
    }
}
