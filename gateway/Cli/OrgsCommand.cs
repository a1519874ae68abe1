using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiGateway.Config;
using AiGateway.Transforms.Orgs;

namespace AiGateway.Cli;

/// <summary>
/// The <c>orgs show ORG</c> and <c>orgs set ORG --mode-default auto --monthly-usd-budget 50 …</c> verbs: read and
/// partially update <c>org_ai_settings</c> in the store the gateway uses. Running gateways apply a change within 5 s.
/// </summary>
internal static class OrgsCommand
{
    /// <summary>The verb's usage text.</summary>
    public const string Usage = """
          orgs show ORG                       print the org's settings (the defaults when it has none)
          orgs set ORG [options]              change only the settings named, e.g. --mode-default auto --monthly-usd-budget 50
            --mode-default cheap|smart|auto|none   --client-mode-override true|false   --cache-enabled true|false
            --cache-ttl-seconds N|none             --dedupe-enabled true|false         --monthly-token-budget N|none
            --monthly-usd-budget USD|none          --hard-budget true|false
        """;

    /// <summary>Runs <c>orgs …</c> (<paramref name="args"/> without the verb): 0 on success, 1 on a bad value or store error, 2 on bad usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 2 || args[0] is not ("show" or "set") || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            await error.WriteLineAsync("usage:" + Environment.NewLine + Usage);
            return 2;
        }

        var (action, org) = (args[0], args[1]);
        var patch = new JsonObject();
        var configArgs = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            var field = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..].Replace('-', '_') : null;
            if (field is null || field.Contains(':') || field.Contains('='))
            {
                configArgs.Add(args[i]);
                continue;
            }

            if (action != "set" || field == "org_id" || !OrgSettingsPatch.Fields.Contains(field) || i + 1 >= args.Length)
            {
                var flags = OrgSettingsPatch.Fields.Skip(1).Select(f => "--" + f.Replace('_', '-')).ToList();
                await error.WriteLineAsync($"error: '{args[i]}' is not an option of 'orgs {action}'{NearestName.Hint(args[i], flags)}");
                return 2;
            }

            patch[field] = Value(field, args[++i]);
        }

        try
        {
            var store = await OpenStoreAsync(configArgs.ToArray());
            OrgAiSettings settings;
            if (action == "show")
            {
                settings = (await store.GetAsync(org, CancellationToken.None))?.Settings ?? new OrgAiSettings { OrgId = org };
            }
            else
            {
                using var json = JsonDocument.Parse(patch.ToJsonString());
                var (parsed, problem, _) = OrgSettingsPatch.Parse(json.RootElement, org);
                if (parsed is null)
                {
                    await error.WriteLineAsync("error: " + problem);
                    return 1;
                }

                settings = (await store.UpdateAsync(org, parsed, CancellationToken.None)).Settings;
            }

            await output.WriteLineAsync(Encoding.UTF8.GetString(OrgSettingsJson.Serialize(settings, indented: true)));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            await error.WriteLineAsync("error: " + ex.Message);
            return 1;
        }
    }

    /// <summary>The JSON value of an option: <c>none</c> is null; the mode is text; other values are JSON literals (checked by the patch).</summary>
    private static JsonNode? Value(string field, string text)
    {
        if (text is "none" or "null")
        {
            return null;
        }

        if (field == "mode_default")
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

    private static Task<IOrgSettingsStore> OpenStoreAsync(string[] configArgs) =>
        CliStore.OpenAsync<IOrgSettingsStore>(configArgs, database => new PostgresOrgSettingsStore(database), database => new SqliteOrgSettingsStore(database));
}
