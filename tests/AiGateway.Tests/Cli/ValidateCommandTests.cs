using System.Text.Json.Nodes;
using AiGateway.Cli;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Storage;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>The <c>validate</c> verb and the same checks at start-up.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("aigw-validate-test-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Validate_ShippedAppsettings_Exit0()
    {
        var (code, output, error) = await RunAsync("validate", "--config", Path.Combine(TestGateway.RepositoryRoot, "appsettings.json"));

        Assert.True(code == 0, error);
        Assert.Contains("valid", output);
    }

    [Fact]
    public async Task Validate_FileWithSeveralErrors_Exit1WithEveryErrorAndSuggestions()
    {
        var file = WriteSettings(json =>
        {
            json["ReverseProxy"]!["Routes"]!["openai"]!["ClusterId"] = "opena";
            json["ReverseProxy"]!["Clusters"]!["openai"]!["Destinations"]!["primary"]!["Address"] = "api.openai.com";
            json["ConnectionStrings"] = new JsonObject { ["Postgres"] = "Hots=127.0.0.1;Database=aigw", ["Redis"] = "127.0.0.1:6379,connectTimout=100" };
            json["Gateway"]!["MaxRequestBytes"] = 10;
            json["Gateway"]!["Auth"]!["Mode"] = "VirtualKey";
            json["Gateway"]!["Upstream"] = new JsonObject { ["MaxRetries"] = 99, ["FirstByteTimeoutSeconds"] = "soon" };
        });

        var (code, _, error) = await RunAsync("validate", "--config", file);

        Assert.Equal(1, code);
        Assert.Contains("(8 errors)", error);
        Assert.Contains("ReverseProxy:Routes:openai:ClusterId is 'opena', which names no cluster; did you mean 'openai'?", error);
        Assert.Contains("ReverseProxy:Clusters:openai:Destinations:primary:Address is 'api.openai.com'", error);
        Assert.Contains("Gateway:MaxRequestBytes is 10; it must be between 1024", error);
        Assert.Contains("Gateway:Upstream:MaxRetries is 99; it must be between 0 and 10.", error);
        Assert.Contains("Gateway:Upstream:FirstByteTimeoutSeconds is 'soon'", error);
        Assert.Contains("Gateway:Auth:Mode is 'VirtualKey'; it must be one of Passthrough, VirtualKeys; did you mean 'VirtualKeys'?", error);
        Assert.Contains("ConnectionStrings:Postgres has the keyword 'hots', which Npgsql does not know; did you mean 'Host'?", error);
        Assert.Contains("did you mean 'connectTimeout'?", error);
    }

    [Fact]
    public async Task Validate_MissingOpenAiCluster_Exit1NamingTheNearestCluster()
    {
        var file = WriteSettings(json =>
        {
            var clusters = json["ReverseProxy"]!["Clusters"]!.AsObject();
            var openai = clusters["openai"]!.DeepClone();
            clusters.Remove("openai");
            clusters["opneai"] = openai;
            json["ReverseProxy"]!["Routes"]!["openai"]!["ClusterId"] = "opneai";
        });

        var (code, _, error) = await RunAsync("validate", "--config", file);

        Assert.Equal(1, code);
        Assert.Contains("ReverseProxy:Clusters:openai is missing", error);
        Assert.Contains("is 'opneai' meant to be 'openai'?", error);
    }

    [Fact]
    public async Task Validate_NotJson_Exit1SayingWhere()
    {
        var file = Path.Combine(_folder, "broken.json");
        await File.WriteAllTextAsync(file, "{\"ReverseProxy\": {");

        var (code, _, error) = await RunAsync("validate", "--config", file);

        Assert.Equal(1, code);
        Assert.Contains("LineNumber", error);
    }

    [Fact]
    public async Task StartUp_InvalidConfiguration_StopsWithEveryError()
    {
        var failure = await Assert.ThrowsAsync<GatewayConfigurationException>(() => TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            new Dictionary<string, string> { ["Gateway:Cache:MaxEntryBytes"] = "1" },
            json => json["ReverseProxy"]!["Routes"]!["openai"]!["ClusterId"] = "opena"));

        Assert.Equal(2, failure.Errors.Count);
        Assert.Contains("did you mean 'openai'?", failure.Message);
        Assert.Contains("Gateway:Cache:MaxEntryBytes is 1", failure.Message);
    }

    [Fact]
    public async Task Validate_DatabaseHandAltered_Exit1NamingTheDifferenceWithoutChangingIt()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using (var database = new PostgresDatabase(db.ConnectionString))
        {
            await database.MigrateAsync();
        }

        await ExecuteAsync(db.ConnectionString, "ALTER TABLE ai_cost_daily ALTER COLUMN requests TYPE integer");

        var (code, output, error) = await RunAsync("validate", "--config", ShippedSettings, "--database", $"--ConnectionStrings:Postgres={db.ConnectionString}");

        Assert.Equal(1, code);
        Assert.Contains("valid", output);
        Assert.Contains("column ai_cost_daily.requests is integer here; the migrations define bigint.", error);
    }

    [Fact]
    public async Task Validate_DatabaseNotMigratedYet_Exit0ListingWhatStartUpApplies()
    {
        await using var db = await TestServices.CreateDatabaseAsync();

        var (code, output, error) = await RunAsync("validate", "--config", ShippedSettings, "--database", "--ConnectionStrings:Postgres", db.ConnectionString);

        Assert.True(code == 0, error);
        var scripts = MigrationScripts.Load(typeof(PostgresDatabase).Assembly, "Postgres").Count;
        Assert.Contains($"{scripts} pending, which start-up applies: 0001_api_keys.sql", output);
    }

    [Fact]
    public async Task Validate_EmbeddedStoreUntouched_Exit0()
    {
        var dataDir = Path.Combine(_folder, "data");
        await new EmbeddedDatabase(dataDir).MigrateAsync();

        var (code, output, error) = await RunAsync("validate", "--config", ShippedSettings, "--database", "--Gateway:DataDir", dataDir);

        Assert.True(code == 0, error);
        Assert.Contains("matches its migrations", output);
    }

    [Fact]
    public async Task Validate_FixEveryErrorUnambiguous_CorrectsInPlaceKeepsBakPrintsDiffExit0()
    {
        var file = Path.Combine(_folder, "appsettings.json");
        var original = FixableSettings.Replace("\n", "\r\n");
        await File.WriteAllTextAsync(file, original);

        var (code, output, error) = await RunAsync("validate", "--config", file, "--fix");

        Assert.True(code == 0, error);
        var expected = original.Replace("\"gpt-4o-mni\"", "\"gpt-4o-mini\"").Replace("\"cheep\"", "\"cheap\"")
            .Replace("\"ClusterId\": \"opena\"", "\"ClusterId\": \"openai\"").Replace("Hots=", "Host=");
        Assert.Equal(expected, await File.ReadAllTextAsync(file));
        Assert.Equal(original, await File.ReadAllTextAsync(file + ".bak"));
        Assert.Contains($"--- {file}.bak", output);
        Assert.Contains($"+++ {file}", output);
        Assert.Contains("-        \"Modes\": { \"smart\": \"gpt-4o\", \"cheap\": \"gpt-4o-mni\" },", output);
        Assert.Contains("+        \"Modes\": { \"smart\": \"gpt-4o\", \"cheap\": \"gpt-4o-mini\" },", output);
        Assert.Contains("+            \"openai\": { \"Match\": { \"Path\": \"/v1/{**path}\" }, \"ClusterId\": \"openai\" }", output);
        Assert.Contains("@@ -", output);
        Assert.Contains("fixed 4 errors", output);
        Assert.Contains("the configuration is valid", output);
    }

    [Fact]
    public async Task Validate_FixWithAmbiguousAndUnfixableErrors_FixesTheRestListsThemExit1()
    {
        var file = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(file, FixableSettings
            .Replace("\"smart\": \"gpt-4o\"", "\"smart\": \"o2\"")
            .Replace("\"DataDir\": \"./data\"", "\"DataDir\": \"./data\", \"Upstream\": { \"MaxRetries\": 99, \"FallbackModels\": { \"gpt4o\": \"gpt-4o-mini\" } }"));

        var (code, _, error) = await RunAsync("validate", "--config", file, "--fix", "--Gateway:Auth:Mode=VirtualKey");

        Assert.Equal(1, code);
        var fixedText = await File.ReadAllTextAsync(file);
        Assert.Contains("\"ClusterId\": \"openai\"", fixedText);
        Assert.Contains("\"cheap\": \"gpt-4o-mini\"", fixedText);
        Assert.Contains("\"smart\": \"o2\"", fixedText);
        Assert.Contains("\"MaxRetries\": 99", fixedText);
        Assert.Contains("Gateway:Modes:smart is 'o2'", error);
        Assert.Contains("did you mean 'o1' or 'o3'?", error);
        Assert.Contains("Gateway:Upstream:MaxRetries is 99", error);
        Assert.Contains("Gateway:Upstream:FallbackModels:gpt4o names the model 'gpt4o'", error);
        Assert.Contains("Gateway:Auth:Mode is 'VirtualKey'", error);
        Assert.Contains("(4 errors left", error);
    }

    [Fact]
    public async Task Validate_FixNothingFixable_FileUntouchedNoBakExit1()
    {
        var file = Path.Combine(_folder, "appsettings.json");
        var original = FixableSettings.Replace("\"gpt-4o-mni\"", "\"gpt-4o-mini\"").Replace("\"cheep\"", "\"cheap\"")
            .Replace("\"opena\"", "\"openai\"").Replace("Hots=", "Host=").Replace("\"./data\"", "\"./data\", \"MaxRequestBytes\": 10");
        await File.WriteAllTextAsync(file, original);

        var (code, _, error) = await RunAsync("validate", "--config", file, "--fix");

        Assert.Equal(1, code);
        Assert.Equal(original, await File.ReadAllTextAsync(file));
        Assert.False(File.Exists(file + ".bak"));
        Assert.Contains("Gateway:MaxRequestBytes is 10", error);
    }

    // Formatting and key order of an operator's own file, which the fix must keep.
    private const string FixableSettings = """
        {
            "Gateway": {
                "Modes": { "smart": "gpt-4o", "cheap": "gpt-4o-mni" },
                "DataDir": "./data",
                "Routes": { "reports": { "Mode": "cheep" } }
            },
            "ConnectionStrings": { "Postgres": "Hots=127.0.0.1;Database=aigw" },
            "ReverseProxy": {
                "Clusters": { "openai": { "Destinations": { "primary": { "Address": "https://api.openai.com" } } } },
                "Routes": {
                    "openai": { "Match": { "Path": "/v1/{**path}" }, "ClusterId": "opena" }
                }
            }
        }

        """;

    private static string ShippedSettings => Path.Combine(TestGateway.RepositoryRoot, "appsettings.json");

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string WriteSettings(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TestGateway.RepositoryRoot, "appsettings.json")))!.AsObject();
        edit(json);
        var file = Path.Combine(_folder, "candidate.json");
        File.WriteAllText(file, json.ToJsonString());
        return file;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCommandLine.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
