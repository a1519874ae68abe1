using System.Text.Json.Nodes;
using AiGateway.Cli;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Storage;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.Resilience;

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
        Assert.Contains("6 pending, which start-up applies: 0001_api_keys.sql", output);
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
