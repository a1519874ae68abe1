using System.Text;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Payloads;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.Payloads;

/// <summary>Opt-in payload logging (CONTRACT §10.7) through real gateways, on real Postgres and on the embedded store.</summary>
public sealed class PayloadLoggingTests
{
    // The corpus a redacted payload must never hold: each is echoed back by the mock upstream too.
    private const string Email = "jane.roe@example.org";
    private const string Card = "4111 1111 1111 1111";
    private const string ApiKey = "sk-proj-AbCdEf0123456789xyzXYZ";
    private const string Phone = "+1 415 555 2671";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Call_OrgWithoutSetting_StoresNothing(string store)
    {
        await using var setup = await Setup.StartAsync(store);
        var quiet = new OrgCalls();
        var logged = new OrgCalls();
        await logged.PutSettingsAsync(setup.Gateway, """{"payload_logging":"redacted"}""");

        using var unlogged = await quiet.PostAsync(setup.Gateway, quiet.NextChat());
        // The queue is first in, first out: once a later call's payload is stored, the earlier one's would be too.
        using var later = await logged.PostAsync(setup.Gateway, logged.NextChat());
        await setup.WaitForPayloadAsync(later);

        var payloads = await setup.PayloadsAsync();
        Assert.Equal(logged.OrgId, Assert.Single(payloads).org_id);
        var metrics = await setup.Gateway.Client.GetStringAsync("metrics");
        Assert.Contains("aigw_payloads_dropped_total", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Call_Redacted_PlaceholdersStoredAndNoRawValueInTheDatabase(string store)
    {
        await using var setup = await Setup.StartAsync(store);
        var org = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"redacted"}""");

        using var response = await org.PostAsync(setup.Gateway, Chat($"Mail {Email}, card {Card}, key {ApiKey}, phone {Phone}; again {Email}"));
        var payload = await setup.WaitForPayloadAsync(response);

        string request = payload.request_body, answer = payload.response_body;
        Assert.Contains("Mail [EMAIL_1], card [CARD_1], key [KEY_1], phone [PHONE_1]; again [EMAIL_1]", request, StringComparison.Ordinal);
        // The answer echoes the question: the same values get the same placeholders.
        Assert.Contains("[EMAIL_1], card [CARD_1]", answer, StringComparison.Ordinal);
        Assert.Equal("redacted", (string)payload.level);
        using var counts = JsonDocument.Parse((string)payload.redactions);
        Assert.Equal(1, counts.RootElement.GetProperty("EMAIL").GetInt32());
        foreach (var raw in new[] { Email, Card, ApiKey, Phone, "4111111111111111" })
        {
            Assert.Equal(0, await setup.CountAsync("request_body LIKE @raw OR response_body LIKE @raw", new { raw = "%" + raw + "%" }));
            Assert.False(setup.FilesContain(raw), $"a database file holds {raw}");
        }
    }

    [Fact]
    public async Task Call_Full_StoresTheExactBodies()
    {
        await using var setup = await Setup.StartAsync("postgres");
        var org = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"full"}""");
        var body = Chat($"Mail {Email} as it is");

        using var response = await org.PostAsync(setup.Gateway, body);
        var answer = await response.Content.ReadAsStringAsync();
        var payload = await setup.WaitForPayloadAsync(response);

        Assert.Equal(body, (string)payload.request_body);
        Assert.Equal(answer, (string)payload.response_body);
        Assert.Null((string?)payload.redactions);
    }

    [Fact]
    public async Task Stream_Full_AssembledAnswerIsWhatTheClientReceived()
    {
        await using var setup = await Setup.StartAsync("postgres");
        var org = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"full"}""");

        using var response = await org.PostAsync(setup.Gateway, Chat("Tell me a story", stream: true));
        var received = new StringBuilder();
        string? finish = null;
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var chunk = JsonDocument.Parse(line[6..]);
                foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
                {
                    if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    {
                        received.Append(content.GetString());
                    }

                    if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
                    {
                        finish = reason.GetString();
                    }
                }
            }
        }

        var payload = await setup.WaitForPayloadAsync(response);

        using var answer = JsonDocument.Parse((string)payload.response_body);
        var stored = answer.RootElement.GetProperty("choices")[0];
        Assert.True(received.Length > 0);
        Assert.Equal(received.ToString(), stored.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(finish, stored.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Call_LogOffHeader_LowersFullToNothing()
    {
        await using var setup = await Setup.StartAsync("sqlite");
        var org = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"full"}""");

        using var lowered = await org.PostAsync(setup.Gateway, org.NextChat(), ("x-aigw-log", "off"));
        using var later = await org.PostAsync(setup.Gateway, org.NextChat());
        await setup.WaitForPayloadAsync(later);

        Assert.Equal(0, await setup.CountAsync("CAST(request_id AS text) = @id", new { id = RequestId(lowered) }));
        Assert.Equal(1, await setup.CountAsync("1 = 1", null));
    }

    [Fact]
    public async Task Call_RouteCapsAtMetadata_OnlyTheShapeIsStored()
    {
        await using var setup = await Setup.StartAsync("sqlite", new() { ["Gateway:Routes:support:PayloadLogging"] = "metadata" });
        var org = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"full"}""");

        using var response = await org.PostAsync(setup.Gateway, Chat($"Mail {Email}"), ("x-aigw-route", "support"));
        var payload = await setup.WaitForPayloadAsync(response);

        Assert.Equal("metadata", (string)payload.level);
        using var shape = JsonDocument.Parse((string)payload.request_body);
        Assert.Equal(1, shape.RootElement.GetProperty("messages").GetInt32());
        Assert.Equal("stop", JsonDocument.Parse((string)payload.response_body).RootElement.GetProperty("finish_reasons")[0].GetString());
        Assert.DoesNotContain(Email, (string)payload.request_body + (string)payload.response_body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Customer_WithoutSetting_OrgsLevel_OwnOffWins()
    {
        await using var setup = await Setup.StartAsync("postgres");
        var org = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"redacted","customers_allowed":true}""");
        using (var put = await setup.Gateway.Client.PutAsync($"api/orgs/{org.OrgId}/customers/quiet-1/settings",
            new StringContent("""{"payload_logging":"off"}""", Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using var quiet = await org.PostAsync(setup.Gateway, org.NextChat(), ("x-aigw-customer", "quiet-1"));
        using var inheriting = await org.PostAsync(setup.Gateway, org.NextChat(), ("x-aigw-customer", "cust-7"));
        var payload = await setup.WaitForPayloadAsync(inheriting);

        Assert.Equal(("cust-7", "redacted"), ((string)payload.customer_id, (string)payload.level));
        Assert.Equal(0, await setup.CountAsync("CAST(request_id AS text) = @id", new { id = RequestId(quiet) }));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Viewer_FullAdminKey_RowAndPayloadAndTheReadAudited(string store)
    {
        await using var setup = await Setup.StartAsync(store, new()
        {
            ["Gateway:Admin:Key"] = AdminClient.AdminKey,
            ["Gateway:Admin:ReadOnlyKey"] = AdminClient.ReadOnlyKey,
        });
        var admin = new AdminClient(setup.Gateway, AdminClient.AdminKey);
        var org = new OrgCalls();
        await admin.JsonAsync(HttpMethod.Put, $"api/orgs/{org.OrgId}/settings", """{"payload_logging":"redacted"}""");

        using var response = await org.PostAsync(setup.Gateway, Chat($"Mail {Email}"));
        var id = RequestId(response);
        await setup.WaitForPayloadAsync(response);
        var view = await admin.LoggedCallAsync(id);
        using var readOnly = await new AdminClient(setup.Gateway, AdminClient.ReadOnlyKey).SendAsync(HttpMethod.Get, $"api/logs/{id}");

        Assert.Equal(id, view.GetProperty("row").GetProperty("id").GetString());
        Assert.Equal(org.OrgId, view.GetProperty("row").GetProperty("org_id").GetString());
        var payload = view.GetProperty("payload");
        Assert.Contains("Mail [EMAIL_1]", payload.GetProperty("request").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, payload.GetProperty("redactions").GetProperty("EMAIL").GetInt32());
        Assert.Equal(403, (int)readOnly.StatusCode);
        var audit = await admin.AuditAsync("?action=payload.view");
        Assert.Contains(audit, e => e.GetProperty("target").GetString() == "call:" + id && e.GetProperty("actor").GetString() == "admin");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Search_TextOfStoredPayloads_FindsOnlyItsCall_FiltersAndAudit(string store)
    {
        await using var setup = await Setup.StartAsync(store);
        var org = new OrgCalls();
        var other = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"redacted"}""");
        var word = "Zebra" + Guid.NewGuid().ToString("N")[..8];
        using var plain = await org.PostAsync(setup.Gateway, Chat("nothing to see"));
        using var wanted = await org.PostAsync(setup.Gateway, Chat($"the {word} question"));
        using var unlogged = await other.PostAsync(setup.Gateway, Chat($"the {word} question"));
        await setup.WaitForPayloadAsync(plain);
        await setup.WaitForPayloadAsync(wanted);
        JsonElement all = default;
        await Eventually.UntilAsync(async () =>
        {
            all = JsonDocument.Parse(await setup.Gateway.Client.GetStringAsync($"api/logs?org={org.OrgId}")).RootElement.Clone();
            return all.GetProperty("calls").GetArrayLength() == 2;
        }, "both calls' log rows");

        var found = JsonDocument.Parse(await setup.Gateway.Client.GetStringAsync($"api/logs?q={word.ToLowerInvariant()}&status=200")).RootElement;
        using var bad = await setup.Gateway.Client.GetAsync("api/logs?status=abc");

        var call = Assert.Single(found.GetProperty("calls").EnumerateArray());
        Assert.Equal(RequestId(wanted), call.GetProperty("id").GetString());
        Assert.True(call.GetProperty("has_payload").GetBoolean());
        Assert.All(all.GetProperty("calls").EnumerateArray(), c => Assert.Equal(org.OrgId, c.GetProperty("org_id").GetString()));
        await OpenAiErrorAssert.IsErrorAsync(bad, 400, "invalid_parameter");
        var audit = JsonDocument.Parse(await setup.Gateway.Client.GetStringAsync("api/audit?action=payload.view")).RootElement.GetProperty("entries");
        Assert.Equal("logs", Assert.Single(audit.EnumerateArray()).GetProperty("target").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Erase_Customer_ItsPayloadsGoneTheOrgsOthersKept_Audited(string store)
    {
        await using var setup = await Setup.StartAsync(store);
        var org = new OrgCalls();
        await org.PutSettingsAsync(setup.Gateway, """{"payload_logging":"metadata","customers_allowed":true}""");
        using var leaving = await org.PostAsync(setup.Gateway, org.NextChat(), ("x-aigw-customer", "leaving-1"));
        using var staying = await org.PostAsync(setup.Gateway, org.NextChat(), ("x-aigw-customer", "staying-2"));
        await setup.WaitForPayloadAsync(leaving);
        await setup.WaitForPayloadAsync(staying);

        using var erase = await setup.Gateway.Client.DeleteAsync($"api/logs?org={org.OrgId}&customer=leaving-1");
        var answer = await erase.Content.ReadAsStringAsync();

        Assert.True(erase.IsSuccessStatusCode, answer);
        Assert.Equal(1, JsonDocument.Parse(answer).RootElement.GetProperty("erased").GetInt64());
        Assert.Equal(0, await setup.CountAsync("CAST(request_id AS text) = @id", new { id = RequestId(leaving) }));
        Assert.Equal(1, await setup.CountAsync("CAST(request_id AS text) = @id", new { id = RequestId(staying) }));
        var audit = JsonDocument.Parse(await setup.Gateway.Client.GetStringAsync("api/audit?action=payload.erase")).RootElement.GetProperty("entries");
        Assert.Equal($"customer:{org.OrgId}/leaving-1", Assert.Single(audit.EnumerateArray()).GetProperty("target").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Maintain_PayloadsPastRetention_Gone_RecentKept(string store)
    {
        await using var setup = await Setup.StartAsync(store, new() { ["Gateway:Payloads:RetentionDays"] = "3" });
        var payloads = setup.Gateway.Services.GetRequiredService<IPayloadStore>();
        var now = DateTimeOffset.UtcNow;
        var old = Record(now.AddDays(-5));
        var recent = Record(now.AddDays(-1));
        await payloads.WriteAsync([old, recent], CancellationToken.None);

        var removed = await setup.Gateway.Services.GetRequiredService<PayloadWriter>().MaintainAsync(CancellationToken.None);

        Assert.True(removed >= 1);
        Assert.Null(await payloads.ReadAsync(old.RequestId, CancellationToken.None));
        Assert.NotNull((await payloads.ReadAsync(recent.RequestId, CancellationToken.None))?.Payload);
    }

    private static PayloadRecord Record(DateTimeOffset ts) => new()
    {
        RequestId = Guid.NewGuid(),
        Ts = ts,
        OrgId = "retention-org",
        Level = "full",
        RequestBody = "{}",
    };

    private static string RequestId(HttpResponseMessage response) => response.Headers.GetValues("x-aigw-request-id").Single();

    private static string Chat(string text, bool stream = false) =>
        JsonSerializer.Serialize(new { model = "gpt-4o-mini", stream, messages = new[] { new { role = "user", content = text + " " + Guid.NewGuid() } } });

    /// <summary>A gateway on one store, its upstream, and the stored payloads.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private Setup(MockOpenAiServer upstream, TestServices.TempDatabase? database, TestGateway gateway)
        {
            Upstream = upstream;
            Database = database;
            Gateway = gateway;
        }

        public MockOpenAiServer Upstream { get; }

        public TestServices.TempDatabase? Database { get; }

        public TestGateway Gateway { get; }

        private string SqlitePath => Path.Combine(Gateway.DataDir, "aigateway.db");

        public static async Task<Setup> StartAsync(string store, Dictionary<string, string>? extra = null)
        {
            var upstream = await MockOpenAiServer.StartAsync();
            var database = store == "postgres" ? await TestServices.CreateDatabaseAsync() : null;
            var settings = new Dictionary<string, string> { ["Gateway:Log:FlushIntervalMs"] = "50" };
            if (database is not null)
            {
                settings["ConnectionStrings:Postgres"] = database.ConnectionString;
            }

            foreach (var (key, value) in extra ?? [])
            {
                settings[key] = value;
            }

            return new Setup(upstream, database, await TestGateway.StartAsync(upstream.BaseAddress, settings));
        }

        public async Task<List<dynamic>> PayloadsAsync(string where = "1 = 1", object? parameters = null)
        {
            var sql = $"""
                SELECT CAST(request_id AS text) AS request_id, org_id, customer_id, level, request_body, response_body,
                       CAST(redactions AS text) AS redactions
                FROM ai_payloads WHERE {where}
                """;
            if (Database is not null)
            {
                await using var connection = new NpgsqlConnection(Database.ConnectionString);
                return (await connection.QueryAsync(sql, parameters)).ToList();
            }

            await using var sqlite = new SqliteConnection($"Data Source={SqlitePath};Pooling=False");
            return (await sqlite.QueryAsync(sql, parameters)).ToList();
        }

        public async Task<int> CountAsync(string where, object? parameters) => (await PayloadsAsync(where, parameters)).Count;

        public async Task<dynamic> WaitForPayloadAsync(HttpResponseMessage response)
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var id = RequestId(response);
            dynamic? payload = null;
            await Eventually.UntilAsync(async () => (payload = (await PayloadsAsync("CAST(request_id AS text) = @id", new { id })).SingleOrDefault()) is not null,
                $"the payload of {id}");
            return payload!;
        }

        // The embedded store's files (the database and its write-ahead log) searched byte for byte.
        public bool FilesContain(string raw)
        {
            if (Database is not null)
            {
                return false;
            }

            var needle = Encoding.UTF8.GetBytes(raw);
            return Directory.GetFiles(Gateway.DataDir, "aigateway.db*")
                .Any(path => ReadShared(path).AsSpan().IndexOf(needle) >= 0);
        }

        private static byte[] ReadShared(string path)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            return bytes;
        }

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            if (Database is not null)
            {
                await Database.DisposeAsync();
            }
        }
    }
}
