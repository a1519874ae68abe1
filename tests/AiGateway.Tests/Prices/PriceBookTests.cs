using AiGateway.Config;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Prices;
using Xunit;

namespace AiGateway.Tests.Prices;

public sealed class PriceBookTests
{
    private static readonly PriceBook Shipped = new(PriceTableFile.Load(PriceTableFile.DefaultPath));
    private static readonly DateTimeOffset Now = new(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4.1-2025-04-14", "gpt-4.1")]
    [InlineData("GPT-4o-Mini", "gpt-4o-mini")]
    public void Find_DatedSnapshotOrOtherCase_UsesBaseModelPrice(string model, string expectedRow)
    {
        var price = Shipped.Find(model, Now);

        Assert.NotNull(price);
        Assert.Equal(expectedRow, price.Model);
    }

    [Fact]
    public void Find_DatedSnapshotPricedItself_UsesItsOwnRow()
    {
        var price = Shipped.Find("gpt-4o-2024-05-13", Now);

        Assert.NotNull(price);
        Assert.Equal("gpt-4o-2024-05-13", price.Model);
        Assert.Equal(5.00m, price.InputPer1M);
        Assert.Equal(15.00m, price.OutputPer1M);
    }

    [Fact]
    public void Find_PriceChange_AppliesFromItsEffectiveMoment()
    {
        var change = new DateTimeOffset(2025, 6, 10, 0, 0, 0, TimeSpan.Zero);

        var before = Shipped.Find("o3", change.AddTicks(-1));
        var at = Shipped.Find("o3", change);
        var launch = Shipped.Find("o3", new DateTimeOffset(2025, 4, 15, 23, 59, 59, TimeSpan.Zero));

        Assert.Equal(10.00m, before!.InputPer1M);
        Assert.Equal(40.00m, before.OutputPer1M);
        Assert.Equal(2.00m, at!.InputPer1M);
        Assert.Equal(8.00m, at.OutputPer1M);
        Assert.Null(launch);
    }

    [Theory]
    [InlineData("gpt-unknown")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:acme::abc123")]
    [InlineData("gpt-3.5-turbo-1106")]
    [InlineData("")]
    [InlineData(null)]
    public void Cost_UnknownModel_IsNull(string? model)
    {
        Assert.Null(Shipped.Find(model, Now));
        Assert.Null(Shipped.Cost(model, Now, new TokenUsage(1000, 0, 1000)));
    }

    [Fact]
    public void Cost_CachedAndUncachedInput_EachAtItsPriceExactly()
    {
        // gpt-4o-mini: 0.15 input, 0.075 cached input, 0.60 output per 1M.
        var cost = Shipped.Cost("gpt-4o-mini-2024-07-18", Now, new TokenUsage(PromptTokens: 1234, CachedTokens: 1000, CompletionTokens: 567));

        // (234 × 0.15 + 1000 × 0.075 + 567 × 0.60) / 1e6 = (35.1 + 75 + 340.2) / 1e6
        Assert.Equal(0.0004503m, cost);
    }

    [Fact]
    public void Cost_LargeCall_StaysExactDecimal()
    {
        var cost = Shipped.Cost("gpt-5", Now, new TokenUsage(PromptTokens: 123_456_789, CachedTokens: 3_456_789, CompletionTokens: 987_654_321));

        // 120000000 × 1.25 + 3456789 × 0.125 + 987654321 × 10 = 150000000 + 432098.625 + 9876543210
        Assert.Equal(10026.975308625m, cost);
    }

    [Fact]
    public void Cost_BeyondTenDecimals_RoundsHalfAwayFromZeroLikePostgres()
    {
        var book = new PriceBook([new ModelPrice("tiny", 0.00005m, 0m, 0m, DateTimeOffset.UnixEpoch)]);

        // 1 × 0.00005 / 1e6 = 0.00000000005: the midpoint between 0 and 1e-10.
        Assert.Equal(0.0000000001m, book.Cost("tiny", Now, new TokenUsage(1, 0, 0)));
    }

    [Fact]
    public void Cost_CachedTokensAbovePrompt_NeverNegative()
    {
        var cost = Shipped.Cost("gpt-4o", Now, new TokenUsage(PromptTokens: 10, CachedTokens: 50, CompletionTokens: 0));

        // Cached is clamped to the prompt: 10 cached tokens at 1.25.
        Assert.Equal(0.0000125m, cost);
    }

    [Fact]
    public void Constructor_SameModelAndMoment_LaterRowWins()
    {
        var from = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var book = new PriceBook([new ModelPrice("m", 1m, 1m, 1m, from), new ModelPrice("m", 2m, 2m, 2m, from)]);

        Assert.Equal(2m, book.Find("m", from)!.InputPer1M);
        Assert.Single(book.Prices);
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("o3-mini-2025-01-31", "o3-mini")]
    [InlineData("gpt-4o", null)]
    [InlineData("gpt-4-0613", null)]
    [InlineData("model-2024-8-06", null)]
    [InlineData("-2024-08-06", null)]
    public void SnapshotBase_Name_StripsOnlyTrailingIsoDate(string model, string? expected)
    {
        Assert.Equal(expected, PriceBook.SnapshotBase(model));
    }
}
