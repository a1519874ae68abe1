using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiGateway.Admin;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Identity;

namespace AiGateway.Cli;

/// <summary>
/// The <c>keys create|list|revoke|rotate</c> verbs: issue (with a policy), list, revoke and rotate virtual keys
/// (VirtualKeys mode) in the store the gateway uses, read from the same configuration. Every change is audited as
/// <c>cli:&lt;os user&gt;</c>; running gateways see it within <c>Gateway:Auth:KeyCacheSeconds</c>.
/// </summary>
internal static class KeysCommand
{
    /// <summary>The <c>keys</c> command and its sub-verbs.</summary>
    public static Command Create()
    {
        var keys = new Command("keys", "Issue, list, revoke and rotate virtual keys (VirtualKeys mode) in the store the gateway uses.") { TreatUnmatchedTokensAsErrors = false };
        keys.Subcommands.Add(CreateCommand());
        keys.Subcommands.Add(ListCommand());
        keys.Subcommands.Add(RevokeCommand());
        keys.Subcommands.Add(RotateCommand());
        keys.SetAction(GatewayCommandLine.MissingVerbAsync);
        return keys;
    }

    private static Command CreateCommand()
    {
        var org = new Option<string>("--org") { Description = "the org the key belongs to", Required = true };
        var name = new Option<string>("--name") { Description = "a name for the key (the app using it)", Required = true };
        var policy = new PolicyOptions();
        var create = new Command("create", "Issue a virtual key: printed once, stored only as its SHA-256.") { TreatUnmatchedTokensAsErrors = false };
        create.Options.Add(org);
        create.Options.Add(name);
        policy.AddTo(create);
        create.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, error) =>
        {
            var body = policy.Read(parseResult);
            body["org"] = parseResult.GetRequiredValue(org);
            body["name"] = parseResult.GetRequiredValue(name);
            using var json = JsonDocument.Parse(body.ToJsonString());
            var (patch, problem) = ApiKeyPolicyPatch.Parse(json.RootElement, creating: true, DateTime.UtcNow);
            if (patch is null)
            {
                await error.WriteLineAsync($"error: {problem!.Message}");
                return ExitCodes.Failure;
            }

            var issued = await new KeyIssuer(store, TimeProvider.System).CreateAsync(patch, AuditActor.CommandLine(), cancellationToken);
            await output.WriteLineAsync(issued.Secret);
            return ExitCodes.Success;
        }));
        return create;
    }

    private static Command ListCommand()
    {
        var org = new Option<string>("--org") { Description = "only the keys of this org" };
        var list = new Command("list", "List keys: id (hash prefix), org, name, created, state.") { TreatUnmatchedTokensAsErrors = false };
        list.Options.Add(org);
        list.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, _) =>
        {
            var now = DateTime.UtcNow;
            foreach (var record in await store.ListAsync(parseResult.GetValue(org), cancellationToken))
            {
                var state = record.RevokedAt is { } at ? "revoked " + at.ToString("O")
                    : !record.IsActiveAt(now) ? "expired " + record.ExpiresAt!.Value.ToString("O")
                    : record.ExpiresAt is { } expires ? "active until " + expires.ToString("O") : "active";
                await output.WriteLineAsync($"{record.Id}\t{record.OrgId}\t{record.Name}\t{record.CreatedAt:O}\t{state}");
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
            var issuer = new KeyIssuer(store, TimeProvider.System);
            var count = 0;
            foreach (var record in (await store.ListAsync(null, cancellationToken)).Where(r => r.RevokedAt is null && r.KeyHash.StartsWith(hashPrefix, StringComparison.Ordinal)))
            {
                await issuer.RevokeAsync(record.Id, AuditActor.CommandLine(), cancellationToken);
                count++;
            }

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

    private static Command RotateCommand()
    {
        var id = new Option<string>("--id") { Description = "the key's id (12 hex characters, as 'keys list' prints)", Required = true };
        var overlap = new Option<int>("--overlap-seconds")
        {
            Description = $"how long the old key keeps working (0 to {KeysAdminEndpointRouteBuilderExtensions.MaxOverlapSeconds}; 0 ends it now)",
            Required = true,
        };
        var rotate = new Command("rotate", "Issue a successor of a key (same org, name and policy), printed once; the old key expires after the overlap.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        rotate.Options.Add(id);
        rotate.Options.Add(overlap);
        rotate.Validators.Add(result =>
        {
            if (result.GetValue(overlap) is < 0 or > KeysAdminEndpointRouteBuilderExtensions.MaxOverlapSeconds)
            {
                result.AddError($"--overlap-seconds must be from 0 to {KeysAdminEndpointRouteBuilderExtensions.MaxOverlapSeconds}.");
            }
        });
        rotate.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async (store, output, error) =>
        {
            var keyId = parseResult.GetRequiredValue(id).ToLowerInvariant();
            var issuer = new KeyIssuer(store, TimeProvider.System);
            using var empty = JsonDocument.Parse("{}");
            var (patch, _) = ApiKeyPolicyPatch.Parse(empty.RootElement, creating: false, DateTime.UtcNow);
            if (keyId.Length != ApiKeyRecord.IdLength || await store.FindByIdAsync(keyId, cancellationToken) is not { RevokedAt: null } found)
            {
                await error.WriteLineAsync($"error: no active key has the id '{keyId}'.");
                return ExitCodes.Failure;
            }

            if (issuer.CheckRotation(found, patch!) is { } problem)
            {
                await error.WriteLineAsync("error: " + problem.Message);
                return ExitCodes.Failure;
            }

            if (await issuer.RotateAsync(found.Id, parseResult.GetValue(overlap), patch!, AuditActor.CommandLine(), cancellationToken) is not { } issued)
            {
                await error.WriteLineAsync($"error: the key '{keyId}' was revoked meanwhile.");
                return ExitCodes.Failure;
            }

            await output.WriteLineAsync(issued.Secret);
            await error.WriteLineAsync($"key {found.Id} now expires at {issued.Replaced!.ExpiresAt!.Value:O}; its successor is {issued.Key.Id}.");
            return ExitCodes.Success;
        }));
        return rotate;
    }

    private static Task<int> WithStoreAsync(ParseResult parseResult, Func<IApiKeyStore, TextWriter, TextWriter, Task<int>> run) =>
        CliStore.RunAsync<IApiKeyStore>(parseResult, database => new PostgresApiKeyStore(database), database => new SqliteApiKeyStore(database), run);

    /// <summary>The policy options of <c>keys create</c>, read into the JSON body the keys API takes (so one parser checks both).</summary>
    private sealed class PolicyOptions
    {
        private readonly Option<string[]> _models = new("--models")
        {
            Description = "models the key may call: exact names and * globs, comma-separated or repeated (default: all)",
            HelpName = "MODEL[,MODEL…]",
        };

        private readonly Option<string> _expiresAt = new("--expires-at") { Description = "when the key stops working (ISO-8601, e.g. 2027-01-01T00:00:00Z)", HelpName = "TIME" };
        private readonly Option<string> _budget = new("--monthly-usd-budget") { Description = "the key's own monthly USD budget, always enforced", HelpName = "USD" };
        private readonly Option<string> _rpm = new("--rpm") { Description = "requests per minute", HelpName = "N" };
        private readonly Option<string> _tpm = new("--tpm") { Description = "tokens per minute", HelpName = "N" };
        private readonly Option<string> _concurrent = new("--max-concurrent") { Description = "calls that may run at once", HelpName = "N" };
        private readonly Option<bool> _customers = new("--may-name-customers") { Description = "calls may name a customer (x-aigw-customer)" };
        private readonly Option<string> _env = new("--upstream-key-env") { Description = "environment variable holding this key's own upstream credential (its name only is stored)", HelpName = "VAR" };
        private readonly Option<string[]> _labels = new("--label") { Description = "a label, repeatable", HelpName = "KEY=VALUE" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _models, _expiresAt, _budget, _rpm, _tpm, _concurrent, _customers, _env, _labels })
            {
                command.Options.Add(option);
            }
        }

        /// <summary>The body fields of the options given; numbers stay text when they are not numbers, for the parser to refuse with its own message.</summary>
        public JsonObject Read(ParseResult result)
        {
            var body = new JsonObject();
            if (result.GetValue(_models) is { Length: > 0 } models)
            {
                body["models"] = new JsonArray(models.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());
            }

            Text(body, "expires_at", result.GetValue(_expiresAt));
            Number(body, "monthly_usd_budget", result.GetValue(_budget));
            Number(body, "rpm_limit", result.GetValue(_rpm));
            Number(body, "tpm_limit", result.GetValue(_tpm));
            Number(body, "max_concurrent", result.GetValue(_concurrent));
            if (result.GetValue(_customers))
            {
                body["may_name_customers"] = true;
            }

            Text(body, "upstream_key_env", result.GetValue(_env));
            if (result.GetValue(_labels) is { Length: > 0 } labels)
            {
                var objectBody = new JsonObject();
                foreach (var label in labels)
                {
                    var equals = label.IndexOf('=');
                    // A label without '=' is a key with an empty value: the parser still bounds its length.
                    objectBody[equals < 0 ? label : label[..equals]] = equals < 0 ? "" : label[(equals + 1)..];
                }

                body["labels"] = objectBody;
            }

            return body;
        }

        private static void Text(JsonObject body, string field, string? value)
        {
            if (value is not null)
            {
                body[field] = value;
            }
        }

        private static void Number(JsonObject body, string field, string? value)
        {
            if (value is not null)
            {
                body[field] = decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var number)
                    ? JsonValue.Create(number)
                    : JsonValue.Create(value);
            }
        }
    }
}
