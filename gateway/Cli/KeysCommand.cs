using System.CommandLine;
using AiGateway.Transforms.Identity;

namespace AiGateway.Cli;

/// <summary>
/// The <c>keys create|list|revoke</c> verbs: issue, list and revoke virtual keys (VirtualKeys mode) in the store the
/// gateway uses, read from the same configuration.
/// </summary>
internal static class KeysCommand
{
    /// <summary>The <c>keys</c> command and its sub-verbs.</summary>
    public static Command Create()
    {
        var keys = new Command("keys", "Issue, list and revoke virtual keys (VirtualKeys mode) in the store the gateway uses.") { TreatUnmatchedTokensAsErrors = false };
        keys.Subcommands.Add(CreateCommand());
        keys.Subcommands.Add(ListCommand());
        keys.Subcommands.Add(RevokeCommand());
        keys.SetAction(GatewayCommandLine.MissingVerbAsync);
        return keys;
    }

    private static Command CreateCommand()
    {
        var org = new Option<string>("--org") { Description = "the org the key belongs to", Required = true };
        var name = new Option<string>("--name") { Description = "a name for the key (the app using it)", Required = true };
        var create = new Command("create", "Issue a virtual key: printed once, stored only as its SHA-256.") { TreatUnmatchedTokensAsErrors = false };
        create.Options.Add(org);
        create.Options.Add(name);
        create.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, _) =>
        {
            var key = ApiKeyHasher.NewVirtualKey();
            await store.CreateAsync(new ApiKeyRecord(ApiKeyHasher.Hash(key), parseResult.GetRequiredValue(org), parseResult.GetRequiredValue(name), DateTime.UtcNow, null), cancellationToken);
            await output.WriteLineAsync(key);
            return ExitCodes.Success;
        }));
        return create;
    }

    private static Command ListCommand()
    {
        var list = new Command("list", "List keys: hash prefix, org, name, created, revoked.") { TreatUnmatchedTokensAsErrors = false };
        list.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, _) =>
        {
            foreach (var record in await store.ListAsync(cancellationToken))
            {
                var revoked = record.RevokedAt is { } at ? "revoked " + at.ToString("O") : "active";
                await output.WriteLineAsync($"{record.KeyHash[..12]}\t{record.OrgId}\t{record.Name}\t{record.CreatedAt:O}\t{revoked}");
            }

            return ExitCodes.Success;
        }));
        return list;
    }

    private static Command RevokeCommand()
    {
        var key = new Option<string>("--key") { Description = "the key to revoke" };
        var hash = new Option<string>("--hash") { Description = "revoke the key(s) whose SHA-256 starts with PREFIX (8 or more hex characters, as 'keys list' prints)", HelpName = "PREFIX" };
        var revoke = new Command("revoke", "Revoke a key, named by the key itself or by its hash prefix.") { TreatUnmatchedTokensAsErrors = false };
        revoke.Options.Add(key);
        revoke.Options.Add(hash);
        revoke.Validators.Add(result =>
        {
            var prefix = result.GetValue(hash);
            if ((result.GetValue(key) is null) == (prefix is null))
            {
                result.AddError("Name the key to revoke with exactly one of --key KEY or --hash PREFIX.");
            }
            else if (prefix is not null && (prefix.Length < 8 || !prefix.All(Uri.IsHexDigit)))
            {
                result.AddError($"--hash '{prefix}' must be 8 or more hex characters of the key's SHA-256.");
            }
        });
        revoke.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, error) =>
        {
            var hashPrefix = parseResult.GetValue(key) is { } revokedKey ? ApiKeyHasher.Hash(revokedKey) : parseResult.GetRequiredValue(hash).ToLowerInvariant();
            var count = await store.RevokeAsync(hashPrefix, cancellationToken);
            if (count == 0)
            {
                await error.WriteLineAsync("error: no active key matches.");
                return ExitCodes.Failure;
            }

            await output.WriteLineAsync($"revoked {count} key(s)");
            return ExitCodes.Success;
        }));
        return revoke;
    }

    private static Task<int> WithStoreAsync(ParseResult parseResult, Func<IApiKeyStore, TextWriter, TextWriter, Task<int>> run) =>
        CliStore.RunAsync<IApiKeyStore>(parseResult, database => new PostgresApiKeyStore(database), database => new SqliteApiKeyStore(database), run);
}
