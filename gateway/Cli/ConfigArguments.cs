using System.CommandLine;
using AiGateway.Config;

namespace AiGateway.Cli;

/// <summary>
/// The tokens of a verb that System.CommandLine did not match: configuration options for the store and host the verb
/// opens (<c>--Gateway:DataDir DIR</c>, <c>--ConnectionStrings:Postgres=…</c>, <c>--environment Production</c>), read as
/// ASP.NET Core's command-line configuration reads them. Anything else is a mistyped option or a stray word.
/// </summary>
internal static class ConfigArguments
{
    // Host settings without a section that a verb's composed host reads (validate composes the gateway as start-up does).
    private static readonly string[] HostKeys = ["environment"];

    /// <summary>The configuration arguments, or the usage error of the first token that is none, with the nearest option of <paramref name="command"/>.</summary>
    public static (string[] Args, string? Error) Read(ParseResult parseResult)
    {
        var tokens = parseResult.UnmatchedTokens;
        var command = parseResult.CommandResult.Command;
        var args = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var key = token.StartsWith("--", StringComparison.Ordinal) ? token[2..] : token.StartsWith('/') ? token[1..] : null;
            if (key is null)
            {
                return ([], $"error: unexpected argument '{token}' for '{Path(command)}'.");
            }

            if (key.Contains('='))
            {
                args.Add(token);
            }
            else if (key.Contains(':') || HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                args.Add(token);
                if (i + 1 < tokens.Count)
                {
                    args.Add(tokens[++i]);
                }
            }
            else
            {
                var options = command.Options.Where(o => !o.Hidden).Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal));
                return ([], $"error: '{token}' is not an option of '{Path(command)}'{NearestName.Hint(token, options)}");
            }
        }

        return (args.ToArray(), null);
    }

    /// <summary>The verb's words, e.g. <c>orgs set</c>.</summary>
    public static string Path(Command command)
    {
        var words = new List<string>();
        for (Symbol? current = command; current is Command { } c and not RootCommand; current = c.Parents.FirstOrDefault())
        {
            words.Insert(0, c.Name);
        }

        return string.Join(' ', words);
    }
}
