using System.Net;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary>The keys API (CONTRACT §10.3) on real gateways: issue, list, read, change, revoke, rotate, and what is never shown.</summary>
public sealed class KeysAdminApiTests
{
    private const string FullPolicy = """
        "models":["gpt-4o-mini","gpt-4o*"],"expires_at":"2099-01-01T00:00:00Z","monthly_usd_budget":12.5,"rpm_limit":600,
        "tpm_limit":90000,"max_concurrent":4,"may_name_customers":true,"upstream_key_env":"OPENAI_KEY_BILLING","labels":{"team":"billing","env":"prod"}
        """;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Create_FullPolicy_201WithTheSecretAndThePolicyAndTheKeyWorks(string store)
    {
        await using var setup = await KeyCalls.StartAsync(store);

        using var response = await setup.Admin.SendAsync(HttpMethod.Post, "api/keys", $$"""{"org":"acme","name":"billing-app",{{FullPolicy}}}""");
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var answer = created.RootElement;
        var secret = answer.GetProperty("key").GetString()!;
        var id = answer.GetProperty("id").GetString()!;
        var read = await setup.Admin.GetAsync($"api/keys/{id}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal($"/api/keys/{id}", response.Headers.Location!.ToString());
        Assert.StartsWith("aigw_", secret);
        Assert.Equal(ApiKeyHasher.Hash(secret)[..12], id);
        Assert.Equal("acme", answer.GetProperty("org").GetString());
        Assert.Equal("billing-app", answer.GetProperty("name").GetString());
        Assert.Equal("active", answer.GetProperty("status").GetString());
        Assert.Equal(["gpt-4o-mini", "gpt-4o*"], answer.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc), answer.GetProperty("expires_at").GetDateTime().ToUniversalTime());
        Assert.Equal("12.5", answer.GetProperty("monthly_usd_budget").GetRawText());
        Assert.Equal((600, 90000, 4), (answer.GetProperty("rpm_limit").GetInt32(), answer.GetProperty("tpm_limit").GetInt32(), answer.GetProperty("max_concurrent").GetInt32()));
        Assert.True(answer.GetProperty("may_name_customers").GetBoolean());
        Assert.Equal("OPENAI_KEY_BILLING", answer.GetProperty("upstream_key_env").GetString());
        Assert.Equal("prod", answer.GetProperty("labels").GetProperty("env").GetString());
        // The read is the same key without the secret.
        Assert.False(read.TryGetProperty("key", out _));
        Assert.Equal(
            answer.EnumerateObject().Where(p => p.Name != "key").Select(p => (p.Name, p.Value.GetRawText())),
            read.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())));
        Assert.Equal(200, await setup.StatusAsync(secret));
    }

    [Theory]
    [InlineData("""{"name":"app"}""", "invalid_value", "org")]
    [InlineData("""{"org":"acme"}""", "invalid_value", "name")]
    [InlineData("""{"org":"ac me","name":"app"}""", "invalid_value", "org")]
    [InlineData("""{"org":"{acme}","name":"app"}""", "invalid_value", "org")]
    [InlineData("""{"org":"acme","name":""}""", "invalid_value", "name")]
    [InlineData("""{"org":"acme","name":"app","models":"gpt-4o"}""", "invalid_value", "models")]
    [InlineData("""{"org":"acme","name":"app","models":["gpt-4o?"]}""", "invalid_value", "models")]
    [InlineData("""{"org":"acme","name":"app","models":["gpt 4o"]}""", "invalid_value", "models")]
    [InlineData("""{"org":"acme","name":"app","models":[7]}""", "invalid_value", "models")]
    [InlineData("""{"org":"acme","name":"app","expires_at":"tomorrow"}""", "invalid_value", "expires_at")]
    [InlineData("""{"org":"acme","name":"app","expires_at":"2001-01-01T00:00:00Z"}""", "invalid_value", "expires_at")]
    [InlineData("""{"org":"acme","name":"app","monthly_usd_budget":-1}""", "invalid_value", "monthly_usd_budget")]
    [InlineData("""{"org":"acme","name":"app","monthly_usd_budget":0.00000000001}""", "invalid_value", "monthly_usd_budget")]
    [InlineData("""{"org":"acme","name":"app","monthly_usd_budget":10000000000}""", "invalid_value", "monthly_usd_budget")]
    [InlineData("""{"org":"acme","name":"app","rpm_limit":0}""", "invalid_value", "rpm_limit")]
    [InlineData("""{"org":"acme","name":"app","tpm_limit":-5}""", "invalid_value", "tpm_limit")]
    [InlineData("""{"org":"acme","name":"app","max_concurrent":0}""", "invalid_value", "max_concurrent")]
    [InlineData("""{"org":"acme","name":"app","rpm_limit":1.5}""", "invalid_value", "rpm_limit")]
    [InlineData("""{"org":"acme","name":"app","may_name_customers":"yes"}""", "invalid_value", "may_name_customers")]
    [InlineData("""{"org":"acme","name":"app","upstream_key_env":"1KEY"}""", "invalid_value", "upstream_key_env")]
    [InlineData("""{"org":"acme","name":"app","upstream_key_env":"OPENAI-KEY"}""", "invalid_value", "upstream_key_env")]
    [InlineData("""{"org":"acme","name":"app","upstream_key_env":"sk-proj-abc"}""", "invalid_value", "upstream_key_env")]
    [InlineData("""{"org":"acme","name":"app","labels":["a"]}""", "invalid_value", "labels")]
    [InlineData("""{"org":"acme","name":"app","labels":{"a":1}}""", "invalid_value", "labels")]
    [InlineData("""{"org":"acme","name":"app","labels":{"a":"b","c":"d","e":"f","g":"h","i":"j","k":"l","m":"n","o":"p","q":"r","s":"t","u":"v","w":"x","y":"z","aa":"b","ab":"c","ac":"d","ad":"e"}}""", "invalid_value", "labels")]
    [InlineData("""{"org":"acme","name":"app","modles":["gpt-4o"]}""", "unknown_field", "modles")]
    [InlineData("""{"org":"acme","name":"app","key":"aigw_chosen"}""", "unknown_field", "key")]
    [InlineData("""["acme"]""", "invalid_value", null)]
    [InlineData("""{"org":""", "invalid_json", null)]
    public async Task Create_BadField_400NamingItAndNothingStored(string body, string code, string? param)
    {
        await using var setup = await KeyCalls.StartAsync();

        using var response = await setup.Admin.SendAsync(HttpMethod.Post, "api/keys", body);
        var text = await response.Content.ReadAsStringAsync();
        var keys = await setup.Admin.GetAsync("api/keys");

        await OpenAiErrorAssert.IsErrorAsync(response, 400, code);
        Assert.Equal(param, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Empty(keys.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Secret_AfterItsIssue_NeverAnsweredStoredAuditedOrLoggedAgain()
    {
        // Every category at every level, for the capture; none on the console.
        await using var setup = await KeyCalls.StartAsync(settings: s =>
        {
            foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.AspNetCore.Hosting.Diagnostics", "Yarp", "System.Net.Http" })
            {
                s[$"Logging:LogLevel:{category}"] = "Trace";
            }

            s["Logging:Console:LogLevel:Default"] = "None";
        });
        using var logs = new LogCapture();
        setup.Gateway.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var (secret, id, _) = await setup.CreateKeyAsync(policy: FullPolicy.Replace("\"expires_at\":\"2099-01-01T00:00:00Z\",", ""));
        Assert.Equal(200, await setup.StatusAsync(secret));
        var rotated = await setup.Admin.JsonAsync(HttpMethod.Post, $"api/keys/{id}/rotate", """{"overlap_seconds":60}""", 201);
        var successor = rotated.GetProperty("key").GetString()!;
        await setup.Admin.JsonAsync(HttpMethod.Patch, $"api/keys/{id}", """{"rpm_limit":7}""");
        await setup.Admin.JsonAsync(HttpMethod.Delete, $"api/keys/{id}");

        string[] answers =
        [
            (await setup.Admin.GetAsync("api/keys")).GetRawText(),
            (await setup.Admin.GetAsync("api/keys?org=acme")).GetRawText(),
            (await setup.Admin.GetAsync($"api/keys/{id}")).GetRawText(),
            (await setup.Admin.GetAsync($"api/keys/{id}/budget")).GetRawText(),
            (await setup.ReadOnly.GetAsync("api/keys")).GetRawText(),
            (await setup.Admin.GetAsync("api/audit")).GetRawText(),
        ];

        foreach (var secretOrHash in new[] { secret, ApiKeyHasher.Hash(secret), successor, ApiKeyHasher.Hash(successor) })
        {
            Assert.All(answers, answer => Assert.DoesNotContain(secretOrHash, answer, StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Lines, line => line.Contains(secretOrHash, StringComparison.Ordinal));
        }

        Assert.Contains(id, answers[0]);
        Assert.Contains(id, answers[5]);
        Assert.NotEmpty(logs.Lines);
    }

    [Fact]
    public async Task List_ByOrg_OnlyThatOrgsKeysNewestFirst()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (_, first, _) = await setup.CreateKeyAsync("first");
        var (_, second, _) = await setup.CreateKeyAsync("second");
        await setup.Admin.CreateKeyAsync("""{"org":"other","name":"third"}""");

        var acme = await setup.Admin.GetAsync("api/keys?org=acme");
        var all = await setup.Admin.GetAsync("api/keys");
        using var unknown = await setup.Admin.SendAsync(HttpMethod.Get, "api/keys?organisation=acme");

        Assert.Equal([second, first], acme.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("id").GetString()));
        Assert.Equal(3, all.GetProperty("keys").GetArrayLength());
        await OpenAiErrorAssert.IsErrorAsync(unknown, 400, "invalid_parameter");
    }

    [Fact]
    public async Task Patch_PolicyFields_ThoseChangeOthersStayNameAndOrgRefused()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (_, id, before) = await setup.CreateKeyAsync(policy: FullPolicy);

        var after = await setup.Admin.JsonAsync(HttpMethod.Patch, $"api/keys/{id}", """{"rpm_limit":null,"models":["o3*"],"labels":{"team":"search"}}""");
        using var name = await setup.Admin.SendAsync(HttpMethod.Patch, $"api/keys/{id}", """{"name":"renamed"}""");
        using var org = await setup.Admin.SendAsync(HttpMethod.Patch, $"api/keys/{id}", """{"org":"other"}""");
        using var bad = await setup.Admin.SendAsync(HttpMethod.Patch, $"api/keys/{id}", """{"max_concurrent":0}""");
        var read = await setup.Admin.GetAsync($"api/keys/{id}");

        Assert.Equal(JsonValueKind.Null, after.GetProperty("rpm_limit").ValueKind);
        Assert.Equal(["o3*"], after.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("""{"team":"search"}""", after.GetProperty("labels").GetRawText().Replace(" ", ""));
        foreach (var kept in new[] { "tpm_limit", "max_concurrent", "monthly_usd_budget", "expires_at", "upstream_key_env", "may_name_customers", "name", "org", "created_at" })
        {
            Assert.Equal(before.GetProperty(kept).GetRawText(), after.GetProperty(kept).GetRawText());
        }

        await OpenAiErrorAssert.IsErrorAsync(name, 400, "immutable_field");
        await OpenAiErrorAssert.IsErrorAsync(org, 400, "immutable_field");
        await OpenAiErrorAssert.IsErrorAsync(bad, 400, "invalid_value");
        Assert.Equal(after.GetRawText(), read.GetRawText());
    }

    [Fact]
    public async Task Patch_ExpiryPassed_NextCallOnThisInstanceIs401KeyExpiredWithoutAnUpstreamCall()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (secret, id, _) = await setup.CreateKeyAsync();
        // The key is now in this instance's cache, trusted for an hour.
        Assert.Equal(200, await setup.StatusAsync(secret));
        var calls = setup.Upstream.RequestCount;

        await setup.Admin.JsonAsync(HttpMethod.Patch, $"api/keys/{id}", """{"expires_at":"2001-01-01T00:00:00Z"}""");
        using var expired = await setup.CallAsync(secret);

        await OpenAiErrorAssert.IsErrorAsync(expired, 401, "key_expired");
        Assert.Equal(calls, setup.Upstream.RequestCount);
    }

    [Fact]
    public async Task Patch_OnOneInstance_OtherInstanceAppliesItWithinItsKeyCacheTime()
    {
        await using var setup = await KeyCalls.StartAsync("postgres");
        await using var other = await setup.StartOtherInstanceAsync(keyCacheSeconds: 1);
        var (secret, id, _) = await setup.CreateKeyAsync();
        Assert.Equal(200, await setup.StatusAsync(secret, other));

        await setup.Admin.JsonAsync(HttpMethod.Patch, $"api/keys/{id}", """{"expires_at":"2001-01-01T00:00:00Z"}""");

        await Eventually.UntilAsync(async () => await setup.StatusAsync(secret, other) == 401, "the other instance to refuse the expired key");
    }

    [Fact]
    public async Task Delete_Revokes_NextCallIs401AndTheKeyIsNeverChangedAgain()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (secret, id, _) = await setup.CreateKeyAsync();
        Assert.Equal(200, await setup.StatusAsync(secret));

        var revoked = await setup.Admin.JsonAsync(HttpMethod.Delete, $"api/keys/{id}");
        using var call = await setup.CallAsync(secret);
        var again = await setup.Admin.JsonAsync(HttpMethod.Delete, $"api/keys/{id}");
        using var patch = await setup.Admin.SendAsync(HttpMethod.Patch, $"api/keys/{id}", """{"rpm_limit":5}""");
        using var rotate = await setup.Admin.SendAsync(HttpMethod.Post, $"api/keys/{id}/rotate", """{"overlap_seconds":60}""");
        var entries = await setup.Admin.AuditAsync($"?target=key:{id}");

        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, revoked.GetProperty("revoked_at").ValueKind);
        await OpenAiErrorAssert.IsErrorAsync(call, 401, "invalid_api_key");
        Assert.Equal(revoked.GetProperty("revoked_at").GetRawText(), again.GetProperty("revoked_at").GetRawText());
        await OpenAiErrorAssert.IsErrorAsync(patch, 409, "key_revoked");
        await OpenAiErrorAssert.IsErrorAsync(rotate, 409, "key_revoked");
        // Created and revoked once: the second DELETE changed nothing and recorded nothing.
        Assert.Equal(["key.revoke", "key.create"], entries.Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Rotate_WithOverlap_BothKeysWorkUntilTheOldOnesExpiryThen401KeyExpired()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (first, firstId, _) = await setup.CreateKeyAsync(policy: "\"models\":[\"gpt-4o-mini\"],\"rpm_limit\":60,\"labels\":{\"team\":\"billing\"}");
        Assert.Equal(200, await setup.StatusAsync(first));

        var before = DateTime.UtcNow;
        var rotated = await setup.Admin.JsonAsync(HttpMethod.Post, $"api/keys/{firstId}/rotate", """{"overlap_seconds":3600}""", 201);
        var after = DateTime.UtcNow;
        var second = rotated.GetProperty("key").GetString()!;
        var secondId = rotated.GetProperty("id").GetString()!;
        var old = await setup.Admin.GetAsync($"api/keys/{firstId}");
        var oldExpiry = old.GetProperty("expires_at").GetDateTime().ToUniversalTime();

        // A successor of the same org, name and policy; the old key expires at the end of the overlap.
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(("acme", "billing-app", 60), (rotated.GetProperty("org").GetString(), rotated.GetProperty("name").GetString(), rotated.GetProperty("rpm_limit").GetInt32()));
        Assert.Equal(["gpt-4o-mini"], rotated.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(JsonValueKind.Null, rotated.GetProperty("expires_at").ValueKind);
        Assert.Equal(firstId, rotated.GetProperty("replaces").GetProperty("id").GetString());
        Assert.InRange(oldExpiry, before.AddSeconds(3600).AddSeconds(-1), after.AddSeconds(3600).AddSeconds(1));
        Assert.Equal(200, await setup.StatusAsync(first));
        Assert.Equal(200, await setup.StatusAsync(second));

        // Without overlap the old key ends now.
        var third = (await setup.Admin.JsonAsync(HttpMethod.Post, $"api/keys/{secondId}/rotate", """{"overlap_seconds":0}""", 201)).GetProperty("key").GetString()!;
        var calls = setup.Upstream.RequestCount;
        using (var ended = await setup.CallAsync(second))
        {
            await OpenAiErrorAssert.IsErrorAsync(ended, 401, "key_expired");
        }

        Assert.Equal(calls, setup.Upstream.RequestCount);
        Assert.Equal(200, await setup.StatusAsync(third));

        // With a short overlap the old key works until its expiry passes, then is refused.
        var thirdId = ApiKeyHasher.Hash(third)[..12];
        var fourth = (await setup.Admin.JsonAsync(HttpMethod.Post, $"api/keys/{thirdId}/rotate", """{"overlap_seconds":1}""", 201)).GetProperty("key").GetString()!;
        await Eventually.UntilAsync(async () => await setup.StatusAsync(third) == 401, "the old key to expire after its overlap");
        using (var late = await setup.CallAsync(third))
        {
            await OpenAiErrorAssert.IsErrorAsync(late, 401, "key_expired");
        }

        Assert.Equal(200, await setup.StatusAsync(fourth));
    }

    [Theory]
    [InlineData("{}", "overlap_seconds")]
    [InlineData("""{"overlap_seconds":-1}""", "overlap_seconds")]
    [InlineData("""{"overlap_seconds":2592001}""", "overlap_seconds")]
    [InlineData("""{"overlap_seconds":"60"}""", "overlap_seconds")]
    [InlineData("""{"overlap_seconds":60,"name":"other"}""", "name")]
    [InlineData("""{"overlap_seconds":60,"rpm_limit":0}""", "rpm_limit")]
    public async Task Rotate_BadBody_400AndNothingIssued(string body, string param)
    {
        await using var setup = await KeyCalls.StartAsync();
        var (secret, id, _) = await setup.CreateKeyAsync();

        using var response = await setup.Admin.SendAsync(HttpMethod.Post, $"api/keys/{id}/rotate", body);
        var text = await response.Content.ReadAsStringAsync();
        var keys = await setup.Admin.GetAsync("api/keys");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(param, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Single(keys.GetProperty("keys").EnumerateArray());
        Assert.Equal(200, await setup.StatusAsync(secret));
    }

    [Fact]
    public async Task Rotate_ExpiredKey_SuccessorNeedsAnExpiryOfItsOwn()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (_, id, _) = await setup.CreateKeyAsync();
        await setup.Admin.JsonAsync(HttpMethod.Patch, $"api/keys/{id}", """{"expires_at":"2001-01-01T00:00:00Z"}""");

        using var refused = await setup.Admin.SendAsync(HttpMethod.Post, $"api/keys/{id}/rotate", """{"overlap_seconds":60}""");
        var rotated = await setup.Admin.JsonAsync(HttpMethod.Post, $"api/keys/{id}/rotate", """{"overlap_seconds":60,"expires_at":null}""", 201);

        await OpenAiErrorAssert.IsErrorAsync(refused, 400, "invalid_value");
        Assert.Equal(200, await setup.StatusAsync(rotated.GetProperty("key").GetString()!));
        // The old key had already expired: the overlap does not bring it back.
        Assert.StartsWith("2001-01-01", (await setup.Admin.GetAsync($"api/keys/{id}")).GetProperty("expires_at").GetString());
    }

    [Theory]
    [InlineData("GET", "api/keys/{0}")]
    [InlineData("GET", "api/keys/{0}/budget")]
    [InlineData("PATCH", "api/keys/{0}")]
    [InlineData("DELETE", "api/keys/{0}")]
    [InlineData("POST", "api/keys/{0}/rotate")]
    public async Task AnyKeyRoute_UnknownOrMalformedId_404KeyNotFound(string method, string path)
    {
        await using var setup = await KeyCalls.StartAsync();
        var (_, id, _) = await setup.CreateKeyAsync();

        foreach (var unknown in new[] { "0123456789ab", id.ToUpperInvariant(), id[..11], "not-a-key-id" })
        {
            using var response = await setup.Admin.SendAsync(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, path, unknown), """{"overlap_seconds":60}""");
            await OpenAiErrorAssert.IsErrorAsync(response, 404, "key_not_found");
        }
    }

    [Fact]
    public async Task Budget_Key_ThisMonthsSpendAndItsBudget()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (_, id, _) = await setup.CreateKeyAsync(policy: "\"monthly_usd_budget\":25");

        var budget = await setup.Admin.GetAsync($"api/keys/{id}/budget");

        Assert.Equal(
            ["id", "org", "month", "tokens_used", "usd_used", "monthly_usd_budget", "remaining_usd"],
            budget.EnumerateObject().Select(p => p.Name));
        Assert.Equal((id, "acme"), (budget.GetProperty("id").GetString(), budget.GetProperty("org").GetString()));
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), budget.GetProperty("month").GetString());
        Assert.Equal(25m, budget.GetProperty("monthly_usd_budget").GetDecimal());
        Assert.Equal(JsonValueKind.Number, budget.GetProperty("remaining_usd").ValueKind);
    }

    [Fact]
    public async Task Budget_AfterCalls_CountsOnlyThatKeysSpend()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (secret, id, _) = await setup.CreateKeyAsync(policy: "\"monthly_usd_budget\":25");
        var (other, _, _) = await setup.CreateKeyAsync("other");
        using var call = await setup.CallAsync(secret);
        var tokens = await OrgCalls.TokensAsync(call);
        Assert.Equal(200, await setup.StatusAsync(other));

        // Both calls counted for the org; of them, only the first for the key.
        await Eventually.UntilAsync(async () => (await setup.Admin.GetAsync("api/orgs/acme/budget")).GetProperty("tokens_used").GetInt64() == 2 * tokens,
            "both calls to be counted for the org");
        var budget = await setup.Admin.GetAsync($"api/keys/{id}/budget");

        Assert.Equal(tokens, budget.GetProperty("tokens_used").GetInt64());
        Assert.True(budget.GetProperty("usd_used").GetDecimal() > 0m);
        Assert.Equal(25m - budget.GetProperty("usd_used").GetDecimal(), budget.GetProperty("remaining_usd").GetDecimal());
    }
}
