using AiGateway.Transforms.Identity;

namespace AiGateway.Cli;

/// <summary>
/// The operator verbs run instead of the server: <c>keys create --org ORG --name NAME</c>, <c>keys list</c>,
/// <c>keys revoke --key KEY | --hash PREFIX</c>, <c>validate [--config FILE]</c>, <c>orgs show|set ORG …</c>. They read the same configuration (and so the same store) as the gateway.
/// </summary>
public static class GatewayCommandLine
{
    private const string Usage = $"""
        usage:
          keys create --org ORG --name NAME   issue a virtual key (printed once, stored only as its SHA-256)
          keys list                           list keys: hash prefix, org, name, created, revoked
          keys revoke --key KEY               revoke a key
          keys revoke --hash PREFIX           revoke the key(s) whose hash starts with PREFIX (>= 8 hex chars)
          validate [--config FILE]            check the configuration (./appsettings.json, or FILE instead) as start-up does
        {OrgsCommand.Usage}
        Configuration options (--Gateway:DataDir DIR, --ConnectionStrings:Postgres CS) work as for the gateway.
        """;

    /// <summary>Whether the arguments name a verb rather than server options.</summary>
    public static bool IsVerb(string[] args) => args.Length > 0 && args[0] is "keys" or "validate" or "orgs";

    /// <summary>Runs the verb; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (args[0] == "validate")
        {
            return await ValidateCommand.RunAsync(args[1..], output, error);
        }

        if (args[0] == "orgs")
        {
            return await OrgsCommand.RunAsync(args[1..], output, error);
        }

        var verb = args.Length > 1 ? args[1] : "";
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var configArgs = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            if (args[i] is "--org" or "--name" or "--key" or "--hash" && i + 1 < args.Length)
            {
                named[args[i][2..]] = args[++i];
            }
            else
            {
                configArgs.Add(args[i]);
            }
        }

        try
        {
            var store = await OpenStoreAsync(configArgs.ToArray());
            switch (verb)
            {
                case "create" when named.TryGetValue("org", out var org) && named.TryGetValue("name", out var name):
                    var key = ApiKeyHasher.NewVirtualKey();
                    await store.CreateAsync(new ApiKeyRecord(ApiKeyHasher.Hash(key), org, name, DateTime.UtcNow, null), CancellationToken.None);
                    await output.WriteLineAsync(key);
                    return 0;
                case "list":
                    foreach (var record in await store.ListAsync(CancellationToken.None))
                    {
                        var revoked = record.RevokedAt is { } at ? "revoked " + at.ToString("O") : "active";
                        await output.WriteLineAsync($"{record.KeyHash[..12]}\t{record.OrgId}\t{record.Name}\t{record.CreatedAt:O}\t{revoked}");
                    }

                    return 0;
                case "revoke" when named.TryGetValue("key", out var revokedKey):
                    return await RevokeAsync(store, ApiKeyHasher.Hash(revokedKey), output, error);
                case "revoke" when named.TryGetValue("hash", out var prefix) && prefix.Length >= 8:
                    return await RevokeAsync(store, prefix.ToLowerInvariant(), output, error);
                default:
                    await error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
        {
            await error.WriteLineAsync("error: " + ex.Message);
            return 1;
        }
    }

    private static async Task<int> RevokeAsync(IApiKeyStore store, string hashPrefix, TextWriter output, TextWriter error)
    {
        var count = await store.RevokeAsync(hashPrefix, CancellationToken.None);
        if (count == 0)
        {
            await error.WriteLineAsync("error: no active key matches.");
            return 1;
        }

        await output.WriteLineAsync($"revoked {count} key(s)");
        return 0;
    }

    private static Task<IApiKeyStore> OpenStoreAsync(string[] configArgs) =>
        CliStore.OpenAsync<IApiKeyStore>(configArgs, database => new PostgresApiKeyStore(database), database => new SqliteApiKeyStore(database));
}
