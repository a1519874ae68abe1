using AiGateway.Cli;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Storage;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>The <c>keys</c> verbs with a key's policy, rotation, and their audit entries (<c>cli:&lt;os user&gt;</c>), on the embedded store.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("aigw-keys-cli-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Create_PolicyOptions_StoredOnTheKey()
    {
        var (code, output, error) = await RunAsync("keys", "create", "--org", "acme", "--name", "billing-app",
            "--models", "gpt-4o-mini,gpt-4o*", "--models", "o3", "--expires-at", "2099-06-01T00:00:00Z", "--monthly-usd-budget", "12.5",
            "--rpm", "600", "--tpm", "90000", "--max-concurrent", "4", "--may-name-customers", "--upstream-key-env", "OPENAI_KEY_BILLING",
            "--label", "team=billing", "--label", "env=prod");

        Assert.Equal((0, ""), (code, error));
        var key = await Store().FindAsync(ApiKeyHasher.Hash(output.Trim()), CancellationToken.None);
        Assert.NotNull(key);
        Assert.Equal(["gpt-4o-mini", "gpt-4o*", "o3"], key.Models);
        Assert.Equal(new DateTime(2099, 6, 1, 0, 0, 0, DateTimeKind.Utc), key.ExpiresAt);
        Assert.Equal((12.5m, 600, 90000L, 4), (key.MonthlyUsdBudget, key.RpmLimit, key.TpmLimit, key.MaxConcurrent));
        Assert.True(key.MayNameCustomers);
        Assert.Equal("OPENAI_KEY_BILLING", key.UpstreamKeyEnv);
        Assert.Equal("""{"env":"prod","team":"billing"}""", key.Labels);
    }

    [Theory]
    [InlineData("--rpm", "0", "rpm_limit")]
    [InlineData("--rpm", "many", "rpm_limit")]
    [InlineData("--models", "gpt 4o", "models")]
    [InlineData("--expires-at", "2001-01-01T00:00:00Z", "expires_at")]
    [InlineData("--upstream-key-env", "sk-proj-123", "upstream_key_env")]
    public async Task Create_BadPolicyValue_Exit1WithTheFieldsMessageAndNoKey(string option, string value, string field)
    {
        var (code, output, error) = await RunAsync("keys", "create", "--org", "acme", "--name", "app", option, value);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains(field, error);
        Assert.Empty(await Store().ListAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Rotate_KeyId_NewKeyOfTheSamePolicyAndTheOldOneExpiresAfterTheOverlap()
    {
        var (_, first, _) = await RunAsync("keys", "create", "--org", "acme", "--name", "app", "--rpm", "60");
        var id = ApiKeyHasher.Hash(first.Trim())[..12];
        var before = DateTime.UtcNow;

        var (code, second, error) = await RunAsync("keys", "rotate", "--id", id, "--overlap-seconds", "600");

        Assert.Equal(0, code);
        var old = await Store().FindByIdAsync(id, CancellationToken.None);
        var successor = await Store().FindAsync(ApiKeyHasher.Hash(second.Trim()), CancellationToken.None);
        Assert.InRange(old!.ExpiresAt!.Value, before.AddSeconds(599), DateTime.UtcNow.AddSeconds(601));
        Assert.Equal(("acme", "app", 60, null), (successor!.OrgId, successor.Name, successor.RpmLimit, successor.ExpiresAt));
        Assert.Contains(successor.Id, error);
    }

    [Theory]
    [InlineData("0123456789ab", "600")]
    [InlineData("0123", "600")]
    public async Task Rotate_UnknownKey_Exit1(string id, string overlap)
    {
        var (code, _, error) = await RunAsync("keys", "rotate", "--id", id, "--overlap-seconds", overlap);

        Assert.Equal(1, code);
        Assert.Contains("no active key", error);
    }

    [Fact]
    public async Task Rotate_OverlapOutOfRange_Exit2()
    {
        var (code, _, error) = await RunAsync("keys", "rotate", "--id", "0123456789ab", "--overlap-seconds", "-1");

        Assert.Equal(2, code);
        Assert.Contains("--overlap-seconds", error);
    }

    [Fact]
    public async Task EveryChange_AuditedAsTheOsUser()
    {
        var (_, key, _) = await RunAsync("keys", "create", "--org", "acme", "--name", "app");
        var id = ApiKeyHasher.Hash(key.Trim())[..12];
        var (_, successor, _) = await RunAsync("keys", "rotate", "--id", id, "--overlap-seconds", "0");
        await RunAsync("keys", "revoke", "--key", successor.Trim());
        await RunAsync("orgs", "set", "acme", "--rpm-limit", "600", "--customers-allowed", "true");

        var entries = await new SqliteAuditLog(new EmbeddedDatabase(_dataDir)).ReadAsync(new AuditQuery(null, null, null, null, 100), CancellationToken.None);

        Assert.Equal(
            [AuditActions.OrgSettingsUpdate, AuditActions.KeyRevoke, AuditActions.KeyCreate, AuditActions.KeyRotate, AuditActions.KeyCreate],
            entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal("cli:" + Environment.UserName, e.Actor));
        Assert.All(entries, e => Assert.Null(e.SourceIp));
        Assert.All(entries, e => Assert.DoesNotContain(key.Trim(), e.After));
        Assert.Contains("\"rpm_limit\":600", entries[0].After);
        Assert.Equal("key:" + id, entries[3].Target);
    }

    private SqliteApiKeyStore Store() => new(new EmbeddedDatabase(_dataDir));

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await GatewayCommandLine.RunAsync([.. args, "--Gateway:DataDir", _dataDir], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
