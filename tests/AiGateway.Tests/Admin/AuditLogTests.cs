using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Payloads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary>
/// <c>admin_audit_log</c> and <c>GET /api/audit</c> (CONTRACT §10.5) on real gateways: every action this build records is
/// made once through the operator API and found with its actor, target and rows; when the log cannot be written, the
/// change is refused (503 <c>audit_unavailable</c>) and not made.
/// </summary>
public sealed class AuditLogTests
{
    private const string PurgeBody = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"cached for the purge"}]}""";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task EveryAction_MadeThroughTheApi_OneEntryWithActorTargetAndRows(string store)
    {
        await using var setup = await KeyCalls.StartAsync(store);
        var keys = await KeysAsync(setup);
        var drivers = Drivers(setup, keys);
        Assert.Equal(AuditActions.All.Order(), drivers.Keys.Order());

        foreach (var action in AuditActions.All)
        {
            var (call, target) = drivers[action];
            using var response = await call();
            Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var entry = (await setup.Admin.AuditAsync($"?action={action}&target={Uri.EscapeDataString(target(await response.Content.ReadAsStringAsync()))}")).First();

            Assert.Equal(AuditActor.AdminKey, entry.GetProperty("actor").GetString());
            Assert.Equal("127.0.0.1", entry.GetProperty("source_ip").GetString());
            Assert.Equal(JsonValueKind.Object, entry.GetProperty("after").ValueKind);
            Assert.True(DateTimeOffset.UtcNow - entry.GetProperty("ts").GetDateTimeOffset() < TimeSpan.FromHours(1), $"{action}: ts {entry.GetProperty("ts")}");
        }

        var all = await setup.Admin.AuditAsync("?limit=1000");
        Assert.Equal(AuditActions.All.Order(), all.Select(e => e.GetProperty("action").GetString()!).Distinct().Order());
        // Newest first.
        Assert.Equal(all.Select(e => e.GetProperty("id").GetInt64()).OrderDescending(), all.Select(e => e.GetProperty("id").GetInt64()));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Entries_HoldTheRowsBeforeAndAfter(string store)
    {
        await using var setup = await KeyCalls.StartAsync(store);
        var (_, id, _) = await setup.CreateKeyAsync();
        await setup.Admin.JsonAsync(HttpMethod.Patch, $"api/keys/{id}", """{"rpm_limit":7}""");
        await setup.Admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/settings", """{"mode_default":"cheap"}""");
        await setup.Admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/settings", """{"mode_default":"smart"}""");
        var rotated = await setup.Admin.JsonAsync(HttpMethod.Post, $"api/keys/{id}/rotate", """{"overlap_seconds":60}""", 201);
        await setup.Admin.JsonAsync(HttpMethod.Delete, "api/cache?org=acme&route=search");

        var update = (await setup.Admin.AuditAsync($"?action=key.update&target=key:{id}")).Single();
        var created = (await setup.Admin.AuditAsync($"?action=key.create&target=key:{id}")).Single();
        var settings = await setup.Admin.AuditAsync("?action=org.settings.update&target=org:acme");
        var rotation = await setup.Admin.AuditAsync($"?target=key:{id}&action=key.rotate");
        var successor = await setup.Admin.AuditAsync($"?target=key:{rotated.GetProperty("id").GetString()}");
        var purge = (await setup.Admin.AuditAsync("?action=cache.purge")).Single();

        Assert.Equal(JsonValueKind.Null, update.GetProperty("before").GetProperty("rpm_limit").ValueKind);
        Assert.Equal(7, update.GetProperty("after").GetProperty("rpm_limit").GetInt32());
        Assert.Equal(id, update.GetProperty("after").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("before").ValueKind);
        Assert.Equal(["smart", "cheap"], settings.Select(e => e.GetProperty("after").GetProperty("mode_default").GetString()));
        Assert.Equal(JsonValueKind.Null, settings[1].GetProperty("before").ValueKind);
        Assert.Equal("cheap", settings[0].GetProperty("before").GetProperty("mode_default").GetString());
        Assert.Equal(JsonValueKind.Null, Assert.Single(rotation).GetProperty("before").GetProperty("expires_at").ValueKind);
        Assert.Equal(JsonValueKind.String, rotation[0].GetProperty("after").GetProperty("expires_at").ValueKind);
        Assert.Equal("key.create", Assert.Single(successor).GetProperty("action").GetString());
        Assert.Equal("""{"org":"acme","route":"search","fingerprint":null}""", purge.GetProperty("after").GetRawText().Replace(" ", ""));
        Assert.Equal("org:acme", purge.GetProperty("target").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task EveryAction_AuditLogUnwritable_503AuditUnavailableAndNothingChanged(string store)
    {
        await using var setup = await KeyCalls.StartAsync(store);
        var keys = await KeysAsync(setup);
        using (var miss = await PurgeProbeAsync(setup, keys.PatchedSecret))
        {
            Assert.Equal("miss", miss.Headers.GetValues("x-aigw-cache").Single());
        }

        var before = await StateAsync(setup, keys);
        await BreakAuditLogAsync(setup);
        var drivers = Drivers(setup, keys);

        foreach (var action in AuditActions.All)
        {
            using var response = await drivers[action].Call();
            await OpenAiErrorAssert.IsErrorAsync(response, 503, "audit_unavailable");
        }

        Assert.Equal(before, await StateAsync(setup, keys));
        using var hit = await PurgeProbeAsync(setup, keys.PatchedSecret);
        Assert.Equal("hit", hit.Headers.GetValues("x-aigw-cache").Single());
    }

    [Fact]
    public async Task Read_Filters_FromToTargetActionAndLimit()
    {
        await using var setup = await KeyCalls.StartAsync();
        await setup.Admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/settings", """{"rpm_limit":1}""");
        // After the first entry's time, before the others': wait for the clock to pass it rather than assume it has.
        var middle = DateTimeOffset.UtcNow.AddMilliseconds(1);
        await Eventually.UntilAsync(() => DateTimeOffset.UtcNow > middle, "the clock to pass the middle");
        await setup.Admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/settings", """{"rpm_limit":2}""");
        await setup.Admin.JsonAsync(HttpMethod.Put, "api/orgs/other/settings", """{"rpm_limit":3}""");
        await setup.CreateKeyAsync();
        var at = Uri.EscapeDataString(middle.UtcDateTime.ToString("O"));

        Assert.Equal(4, (await setup.Admin.AuditAsync()).Count);
        Assert.Equal(3, (await setup.Admin.AuditAsync($"?from={at}")).Count);
        Assert.Single(await setup.Admin.AuditAsync($"?to={at}"));
        Assert.Equal(2, (await setup.Admin.AuditAsync("?target=org:acme")).Count);
        Assert.Single(await setup.Admin.AuditAsync($"?target=org:acme&from={at}"));
        Assert.Equal(3, (await setup.Admin.AuditAsync("?action=org.settings.update")).Count);
        Assert.Equal("key.create", Assert.Single(await setup.Admin.AuditAsync("?limit=1")).GetProperty("action").GetString());
        Assert.Equal(4, (await setup.ReadOnly.AuditAsync()).Count);

        foreach (var bad in new[] { "?limit=0", "?limit=1001", "?limit=ten", "?from=yesterday", "?from=2026-02-01&to=2026-01-01", "?actor=admin" })
        {
            using var response = await setup.Admin.SendAsync(HttpMethod.Get, "api/audit" + bad);
            await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_parameter");
        }
    }

    [Fact]
    public async Task Read_NoLimitGiven_TheNewestHundred()
    {
        await using var setup = await KeyCalls.StartAsync();
        for (var i = 1; i <= AuditQuery.DefaultLimit + 5; i++)
        {
            await setup.Admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/settings", $$"""{"rpm_limit":{{i}}}""");
        }

        var entries = await setup.Admin.AuditAsync();

        Assert.Equal(AuditQuery.DefaultLimit, entries.Count);
        Assert.Equal(AuditQuery.DefaultLimit + 5, entries[0].GetProperty("after").GetProperty("rpm_limit").GetInt32());
    }

    private sealed record TestKeys(string Patched, string PatchedSecret, string Rotated, string Revoked);

    private static async Task<TestKeys> KeysAsync(KeyCalls setup)
    {
        var (secret, patched, _) = await setup.CreateKeyAsync("patched");
        var (_, rotated, _) = await setup.CreateKeyAsync("rotated");
        var (_, revoked, _) = await setup.CreateKeyAsync("revoked");
        return new TestKeys(patched, secret, rotated, revoked);
    }

    /// <summary>For each action, an operator call that makes it once, and the target its entry names (from the call's answer).</summary>
    private static Dictionary<string, (Func<Task<HttpResponseMessage>> Call, Func<string, string> Target)> Drivers(KeyCalls setup, TestKeys keys) => new()
    {
        [AuditActions.KeyCreate] = (
            () => setup.Admin.SendAsync(HttpMethod.Post, "api/keys", """{"org":"acme","name":"audited"}"""),
            answer => "key:" + JsonDocument.Parse(answer).RootElement.GetProperty("id").GetString()),
        [AuditActions.KeyUpdate] = (() => setup.Admin.SendAsync(HttpMethod.Patch, $"api/keys/{keys.Patched}", """{"rpm_limit":7}"""), _ => "key:" + keys.Patched),
        [AuditActions.KeyRotate] = (() => setup.Admin.SendAsync(HttpMethod.Post, $"api/keys/{keys.Rotated}/rotate", """{"overlap_seconds":60}"""), _ => "key:" + keys.Rotated),
        [AuditActions.KeyRevoke] = (() => setup.Admin.SendAsync(HttpMethod.Delete, $"api/keys/{keys.Revoked}"), _ => "key:" + keys.Revoked),
        [AuditActions.OrgSettingsUpdate] = (() => setup.Admin.SendAsync(HttpMethod.Put, "api/orgs/acme/settings", """{"mode_default":"cheap"}"""), _ => "org:acme"),
        [AuditActions.CustomerSettingsUpdate] = (
            () => setup.Admin.SendAsync(HttpMethod.Put, "api/orgs/acme/customers/cust-1/settings", """{"mode_default":"smart"}"""),
            _ => "customer:acme/cust-1"),
        [AuditActions.CachePurge] = (() => setup.Admin.SendAsync(HttpMethod.Delete, "api/cache?org=acme"), _ => "org:acme"),
        [AuditActions.InflightCancel] = (() => CancelARunningCallAsync(setup, keys.PatchedSecret),
            answer => "call:" + JsonDocument.Parse(answer).RootElement.GetProperty("id").GetString()),
        [AuditActions.PayloadView] = (() => ViewALoggedCallAsync(setup, keys.PatchedSecret),
            answer => "call:" + JsonDocument.Parse(answer).RootElement.GetProperty("row").GetProperty("id").GetString()),
        [AuditActions.PayloadErase] = (() => setup.Admin.SendAsync(HttpMethod.Delete, "api/logs?org=acme&customer=cust-1"), _ => "customer:acme/cust-1"),
    };

    // A call made and its row written (read from the store, which audits nothing), then viewed through the API.
    private static async Task<HttpResponseMessage> ViewALoggedCallAsync(KeyCalls setup, string secret)
    {
        using var call = await setup.CallAsync(secret);
        var id = Guid.Parse(call.Headers.GetValues("x-aigw-request-id").Single());
        var store = setup.Gateway.Services.GetRequiredService<IPayloadStore>();
        await Eventually.UntilAsync(async () => await store.ReadAsync(id, CancellationToken.None) is { Row: not null }, "the call's log row");
        return await setup.Admin.SendAsync(HttpMethod.Get, $"api/logs/{id}");
    }

    // A call the upstream holds for ten minutes, cancelled once the in-flight list holds it (it runs on when the cancel is refused).
    private static async Task<HttpResponseMessage> CancelARunningCallAsync(KeyCalls setup, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"held {{Guid.NewGuid()}}"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        request.Headers.Add("x-mock-latency-ms", "600000");
        _ = setup.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        string? id = null;
        await Eventually.UntilAsync(
            async () => (id = (await setup.Admin.GetAsync("api/inflight")).GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("id").GetString()).FirstOrDefault()) is not null,
            "the held call in the in-flight list");
        return await setup.Admin.SendAsync(HttpMethod.Delete, $"api/inflight/{id}");
    }

    // What any of the actions would change: keys, settings and the log itself (the cache is probed by the test).
    private static async Task<string> StateAsync(KeyCalls setup, TestKeys keys) => string.Join("\n",
        (await setup.Admin.GetAsync("api/keys")).GetRawText(),
        (await setup.Admin.GetAsync($"api/keys/{keys.Rotated}")).GetRawText(),
        (await setup.Admin.GetAsync("api/orgs/acme/settings")).GetRawText(),
        (await setup.Admin.GetAsync("api/orgs/acme/customers/cust-1/settings")).GetRawText(),
        (await setup.Admin.GetAsync("api/audit?limit=1000")).GetRawText());

    // The same call each time (so a hit once cached), with a key of the purged org.
    private static Task<HttpResponseMessage> PurgeProbeAsync(KeyCalls setup, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(PurgeBody, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return setup.Gateway.Client.SendAsync(request);
    }

    // Every insert into admin_audit_log fails from now on, as when the table is unwritable; nothing else is touched.
    private static async Task BreakAuditLogAsync(KeyCalls setup)
    {
        if (setup.Postgres is { } postgres)
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log down'; END $$;
                CREATE TRIGGER audit_down BEFORE INSERT ON admin_audit_log FOR EACH ROW EXECUTE FUNCTION audit_down();
                """, connection);
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            await using var connection = new SqliteConnection($"Data Source={System.IO.Path.Combine(setup.Gateway.DataDir, "aigateway.db")}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER audit_down BEFORE INSERT ON admin_audit_log BEGIN SELECT RAISE(ABORT, 'audit log down'); END;";
            await command.ExecuteNonQueryAsync();
        }
    }
}
