using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Orgs;

namespace AiGateway.Cli;

/// <summary>
/// The <c>orgs show ORG</c> and <c>orgs set ORG --mode-default auto --monthly-usd-budget 50 --rpm-limit 600 …</c> verbs:
/// read and partially update <c>org_ai_settings</c> in the store the gateway uses (audited as <c>cli:&lt;os user&gt;</c>).
/// Running gateways apply a change within 5 s.
/// </summary>
internal static class OrgsCommand
{
    /// <summary>The <c>orgs</c> command and its sub-verbs.</summary>
    public static Command Create()
    {
        var orgs = new Command("orgs", "Show and change per-org settings (org_ai_settings) in the store the gateway uses.") { TreatUnmatchedTokensAsErrors = false };
        orgs.Subcommands.Add(ShowCommand());
        orgs.Subcommands.Add(SetCommand());
        orgs.SetAction(GatewayCommandLine.MissingVerbAsync);
        return orgs;
    }

    private static Command ShowCommand()
    {
        var org = new Argument<string>("ORG") { Description = "the org id" };
        var show = new Command("show", "Print the org's settings as JSON (the defaults when it has none).") { TreatUnmatchedTokensAsErrors = false };
        show.Arguments.Add(org);
        show.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, _) =>
        {
            var id = parseResult.GetRequiredValue(org);
            var settings = (await store.GetAsync(id, cancellationToken))?.Settings ?? new OrgAiSettings { OrgId = id };
            await output.WriteLineAsync(Encoding.UTF8.GetString(SettingsJson.Serialize(settings, indented: true)));
            return ExitCodes.Success;
        }));
        return show;
    }

    private static Command SetCommand()
    {
        var org = new Argument<string>("ORG") { Description = "the org id" };
        var set = new Command("set", "Change only the settings named (none or null clears a value); running gateways apply it within 5 s.") { TreatUnmatchedTokensAsErrors = false };
        set.Arguments.Add(org);
        var fields = SettingsTable.Org.Columns
            .Select(column => (Field: column.Name, Option: new Option<string>("--" + column.Name.Replace('_', '-')) { HelpName = HelpName(column) }))
            .ToList();
        foreach (var (_, option) in fields)
        {
            set.Options.Add(option);
        }

        set.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, error) =>
        {
            var id = parseResult.GetRequiredValue(org);
            var patch = new JsonObject();
            foreach (var (field, option) in fields)
            {
                if (parseResult.GetResult(option) is not null && parseResult.GetValue(option) is { } text)
                {
                    patch[field] = Value(field, text);
                }
            }

            using var json = JsonDocument.Parse(patch.ToJsonString());
            var (parsed, problem) = SettingsPatch.Parse(json.RootElement, SettingsTable.Org, [id]);
            if (parsed is null)
            {
                await error.WriteLineAsync("error: " + problem!.Message);
                return ExitCodes.Failure;
            }

            var settings = (await store.UpdateAsync(id, parsed, AuditActor.CommandLine(), cancellationToken)).Settings;
            await output.WriteLineAsync(Encoding.UTF8.GetString(SettingsJson.Serialize(settings, indented: true)));
            return ExitCodes.Success;
        }));
        return set;
    }

    private static string HelpName(SettingsColumn column) => column.Kind switch
    {
        SettingsKind.Mode => "cheap|smart|auto|none",
        SettingsKind.Logging => "off|metadata|redacted|full",
        SettingsKind.Int or SettingsKind.Long => "N|none",
        SettingsKind.Usd => "USD|none",
        _ => "true|false",
    };

    /// <summary>The JSON value of an option: <c>none</c> is null; the mode is text; other values are JSON literals (checked by the patch).</summary>
    private static JsonNode? Value(string field, string text)
    {
        if (text is "none" or "null")
        {
            return null;
        }

        if (field is "mode_default" or "payload_logging")
        {
            return JsonValue.Create(text);
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // Not a number or boolean: left as text, which the patch refuses with the field's own message.
            return JsonValue.Create(text);
        }
    }

    private static Task<int> WithStoreAsync(ParseResult parseResult, Func<IOrgSettingsStore, TextWriter, TextWriter, Task<int>> run) =>
        CliStore.RunAsync<IOrgSettingsStore>(
            parseResult, database => new OrgSettingsStore(new PostgresSettingsStore(database)), database => new OrgSettingsStore(new SqliteSettingsStore(database)), run);
}
