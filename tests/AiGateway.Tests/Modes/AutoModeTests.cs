using System.Net;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Modes;

/// <summary>AUTO and budgets end to end (CONTRACT §6), with the mock's deterministic usage driving the spend.</summary>
public sealed class AutoModeTests
{
    [Fact]
    public async Task Auto_TokenBudgetOnTwoInstancesSharingRedis_FlipsToCheapExactlyWhenShareReachesThreshold()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
        };
        await using var first = await TestGateway.StartAsync(upstream.BaseAddress, settings);
        await using var second = await TestGateway.StartAsync(upstream.BaseAddress, settings);
        var perCall = await TokensPerCallAsync(first);
        var org = new OrgCalls();
        // Five calls' worth: after four the remaining share is exactly 0.2, which is not above the default threshold.
        await org.PutSettingsAsync(first, $$"""{"mode_default":"auto","monthly_token_budget":{{5 * perCall}}}""");
        await org.WaitForSettingsAsync(second, s => s.MonthlyTokenBudget == 5 * perCall);

        var labels = new List<string?>();
        var upstreamModels = new List<string?>();
        long spent = 0;
        for (var call = 0; call < 6; call++)
        {
            var gateway = call % 2 == 0 ? first : second;
            // The other instance counted the previous call: both read the one count in Redis.
            await org.WaitForSpentTokensAsync(gateway, spent);
            using var response = await org.PostAsync(gateway, org.NextChat("gpt-4o"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            spent += await OrgCalls.TokensAsync(response);
            labels.Add(OrgCalls.Header(response, "x-aigw-mode"));
            upstreamModels.Add(OrgCalls.UpstreamModel(upstream));
        }

        Assert.Equal(["auto:smart", "auto:smart", "auto:smart", "auto:smart", "auto:cheap", "auto:cheap"], labels);
        Assert.Equal(["gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o-mini", "gpt-4o-mini"], upstreamModels);
        Assert.Equal(6 * perCall, spent);
    }

    [Fact]
    public async Task Auto_UsdBudgetAlongsideTokenBudget_LowerShareDecides()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var org = new OrgCalls();
        const decimal UsdBudget = 0.0001m;
        const long TokenBudget = 100_000;
        await org.PutSettingsAsync(gateway, $$"""{"mode_default":"auto","monthly_token_budget":{{TokenBudget}},"monthly_usd_budget":{{UsdBudget}}}""");

        long tokens = 0;
        var usd = 0m;
        var flippedByUsd = false;
        for (var call = 0; call < 5; call++)
        {
            await org.WaitForSpentTokensAsync(gateway, tokens);
            var tokenShare = (TokenBudget - tokens) / (decimal)TokenBudget;
            var usdShare = Math.Max(0, (UsdBudget - usd) / UsdBudget);
            var expected = Math.Min(tokenShare, usdShare) > 0.2m ? "gpt-4o" : "gpt-4o-mini";
            flippedByUsd |= expected == "gpt-4o-mini" && tokenShare > 0.2m;

            using var response = await org.PostAsync(gateway, org.NextChat("gpt-4o-mini"));

            Assert.Equal(expected, OrgCalls.UpstreamModel(upstream));
            Assert.Equal(expected, OrgCalls.Header(response, "x-aigw-model"));
            tokens += await OrgCalls.TokensAsync(response);
            usd += OrgCalls.Cost(response);
        }

        Assert.True(flippedByUsd, "the USD budget, not the token budget, made auto pick cheap");
        Assert.Equal(usd, (await org.BudgetAsync(gateway)).GetProperty("usd_used").GetDecimal());
    }

    [Fact]
    public async Task Auto_OrgWithoutBudget_Smart()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var org = new OrgCalls();

        using var response = await org.PostAsync(gateway, org.NextChat("gpt-4o-mini"), ("x-aigw-mode", "auto"));

        Assert.Equal("auto:smart", OrgCalls.Header(response, "x-aigw-mode"));
        Assert.Equal("gpt-4o", OrgCalls.UpstreamModel(upstream));
    }

    [Fact]
    public async Task HardBudget_NothingLeft_429BudgetExceededWithoutAnyUpstreamCall()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var org = new OrgCalls();
        await org.PutSettingsAsync(gateway, """{"monthly_usd_budget":0,"hard_budget":true}""");

        using var plain = await org.PostAsync(gateway, org.NextChat());
        using var stream = await org.PostAsync(gateway, org.NextChat(stream: true));

        await OpenAiErrorAssert.IsErrorAsync(plain, 429, "budget_exceeded");
        await OpenAiErrorAssert.IsErrorAsync(stream, 429, "budget_exceeded");
        Assert.Equal("false", OrgCalls.Header(plain, "x-should-retry"));
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task HardBudget_SpentUp_NextCallRefusedBeforeTheUpstream()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var perCall = await TokensPerCallAsync(gateway);
        var org = new OrgCalls();
        await org.PutSettingsAsync(gateway, $$"""{"monthly_token_budget":{{perCall}},"hard_budget":true}""");
        var before = upstream.RequestCount;

        using var allowed = await org.PostAsync(gateway, org.NextChat());
        await org.WaitForSpentTokensAsync(gateway, perCall);
        using var refused = await org.PostAsync(gateway, org.NextChat());

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        await OpenAiErrorAssert.IsErrorAsync(refused, 429, "budget_exceeded");
        Assert.Equal(before + 1, upstream.RequestCount);
    }

    [Fact]
    public async Task Budget_CacheHit_NotCounted()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var org = new OrgCalls();
        await org.PutSettingsAsync(gateway, """{"monthly_token_budget":1000000}""");
        var body = org.NextChat();

        using var miss = await org.PostAsync(gateway, body);
        var tokens = await OrgCalls.TokensAsync(miss);
        await org.WaitForSpentTokensAsync(gateway, tokens);
        using var hit = await org.PostAsync(gateway, body);
        using var next = await org.PostAsync(gateway, org.NextChat());
        await org.WaitForSpentTokensAsync(gateway, tokens + await OrgCalls.TokensAsync(next));

        Assert.Equal("hit", OrgCalls.Header(hit, "x-aigw-cache"));
    }

    /// <summary>What one <see cref="OrgCalls.NextChat"/> call spends, measured on a throwaway org (the mock's usage depends only on the text's length).</summary>
    internal static async Task<long> TokensPerCallAsync(TestGateway gateway)
    {
        var pilot = new OrgCalls();
        using var response = await pilot.PostAsync(gateway, pilot.NextChat());
        return await OrgCalls.TokensAsync(response);
    }
}
