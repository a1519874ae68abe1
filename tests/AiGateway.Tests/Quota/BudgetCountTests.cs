using AiGateway.Tests.Infrastructure;
using AiGateway.Tests.Modes;
using AiGateway.Transforms.Quota;
using Dapper;
using MockOpenAi;
using Npgsql;
using StackExchange.Redis;
using Xunit;

namespace AiGateway.Tests.Quota;

/// <summary>The monthly budget count survives restarts: it is reconciled with the performance log.</summary>
public sealed class BudgetCountTests
{
    [Fact]
    public async Task Restart_WithoutRedis_CountReadBackFromTheLogAndAutoStaysCheap()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString };
        var org = new OrgCalls();
        long spent = 0;
        await using (var before = await TestGateway.StartAsync(upstream.BaseAddress, settings))
        {
            var perCall = await Modes.AutoModeTests.TokensPerCallAsync(before);
            // Two calls use the whole budget.
            await org.PutSettingsAsync(before, $$"""{"mode_default":"auto","monthly_token_budget":{{2 * perCall}}}""");
            for (var call = 0; call < 2; call++)
            {
                await org.WaitForSpentTokensAsync(before, spent);
                using var response = await org.PostAsync(before, org.NextChat());
                spent += await OrgCalls.TokensAsync(response);
                Assert.Equal("auto:smart", OrgCalls.Header(response, "x-aigw-mode"));
            }

            await org.WaitForSpentTokensAsync(before, spent);
        }

        await using var after = await TestGateway.StartAsync(upstream.BaseAddress, settings);
        var budget = await org.BudgetAsync(after);
        using var next = await org.PostAsync(after, org.NextChat());

        Assert.Equal(spent, budget.GetProperty("tokens_used").GetInt64());
        Assert.Equal(0m, budget.GetProperty("remaining_share").GetDecimal());
        Assert.Equal("auto:cheap", OrgCalls.Header(next, "x-aigw-mode"));
        Assert.Equal("gpt-4o-mini", OrgCalls.UpstreamModel(upstream));
    }

    [Fact]
    public async Task RedisLosesTheCount_ReseededFromTheLog()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Gateway:Log:FlushIntervalMs"] = "50",
        });
        var org = new OrgCalls();
        long spent = 0;
        var usd = 0m;
        for (var call = 0; call < 3; call++)
        {
            using var response = await org.PostAsync(gateway, org.NextChat());
            spent += await OrgCalls.TokensAsync(response);
            usd += OrgCalls.Cost(response);
        }

        await org.WaitForSpentTokensAsync(gateway, spent);
        await Eventually.UntilAsync(async () => await LoggedTokensAsync(database, org.OrgId) == spent, "the calls to reach ai_cost_daily");
        using (var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis))
        {
            // Counts reach Redis in batches: wait until this one has, then lose it.
            var keys = RedisBudgetKeys.For(org.OrgId, BudgetMonth.Of(DateTimeOffset.UtcNow));
            await Eventually.UntilAsync(async () => await redis.GetDatabase().KeyExistsAsync(keys) == 3, "the count to reach Redis");
            Assert.Equal(3, await redis.GetDatabase().KeyDeleteAsync(keys));
        }

        var budget = await org.BudgetAsync(gateway);

        Assert.Equal(spent, budget.GetProperty("tokens_used").GetInt64());
        Assert.Equal(usd, budget.GetProperty("usd_used").GetDecimal());
    }

    [Fact]
    public async Task Restart_WithRedis_CountKeptAndNotAddedTwice()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
        };
        var org = new OrgCalls();
        long spent;
        await using (var before = await TestGateway.StartAsync(upstream.BaseAddress, settings))
        {
            using var response = await org.PostAsync(before, org.NextChat());
            spent = await OrgCalls.TokensAsync(response);
            await org.WaitForSpentTokensAsync(before, spent);
        }

        await using var after = await TestGateway.StartAsync(upstream.BaseAddress, settings);

        Assert.Equal(spent, (await org.BudgetAsync(after)).GetProperty("tokens_used").GetInt64());
        Assert.Equal(spent, await LoggedTokensAsync(database, org.OrgId));
    }

    private static async Task<long> LoggedTokensAsync(TestServices.TempDatabase database, string orgId)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT coalesce(sum(prompt_tokens + completion_tokens), 0)::bigint FROM ai_cost_daily WHERE org_id = @orgId", new { orgId });
    }
}
