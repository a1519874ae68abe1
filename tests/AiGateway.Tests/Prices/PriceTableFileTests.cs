using System.Text;
using AiGateway.Config;
using AiGateway.Transforms.Prices;
using Xunit;

namespace AiGateway.Tests.Prices;

public sealed class PriceTableFileTests
{
    [Fact]
    public void Load_ShippedTable_PricesEveryCommonModel()
    {
        var book = new PriceBook(PriceTableFile.Load(PriceTableFile.DefaultPath));
        var now = new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);
        string[] models =
        [
            "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o1", "o3", "o3-mini", "o4-mini",
            "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-3.5-turbo", "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002",
        ];

        Assert.All(models, model => Assert.NotNull(book.Find(model, now)));
    }

    [Fact]
    public void Parse_CachedInputAbsent_DefaultsToInputPrice()
    {
        var prices = PriceTableFile.Parse("""{"prices":[{"model":"m","input":0.5,"output":1.5,"effective_from":"2024-02-16"}]}"""u8);

        var price = Assert.Single(prices);
        Assert.Equal(0.5m, price.CachedInputPer1M);
        Assert.Equal(new DateTimeOffset(2024, 2, 16, 0, 0, 0, TimeSpan.Zero), price.EffectiveFrom);
    }

    [Fact]
    public void Parse_DecimalText_KeptExactly()
    {
        var prices = PriceTableFile.Parse("""{"prices":[{"model":"m","input":0.1234567891,"cached_input":0.0000000001,"output":12345.6789,"effective_from":"2024-01-01T00:00:00Z"}]}"""u8);

        Assert.Equal(0.1234567891m, prices[0].InputPer1M);
        Assert.Equal(0.0000000001m, prices[0].CachedInputPer1M);
        Assert.Equal(12345.6789m, prices[0].OutputPer1M);
    }

    [Fact]
    public void Parse_SeveralBadRows_ReportsEveryProblemAtOnce()
    {
        var json = Encoding.UTF8.GetBytes("""
            {"prices":[
              {"model":"a","output":1,"effective_from":"2024-01-01"},
              {"model":"b","input":-1,"output":1,"effective_from":"2024-01-01"},
              {"model":"c","input":1,"output":1},
              {"model":"d","input":1,"output":1,"effective_from":"2024-01-01"},
              {"model":"d","input":2,"output":2,"effective_from":"2024-01-01"},
              {"model":"e","input":0.00000000001,"output":1,"effective_from":"2024-01-01"}
            ]}
            """);

        var error = Assert.Throws<FormatException>(() => PriceTableFile.Parse(json));

        Assert.Contains("prices[0] (a).input is missing", error.Message);
        Assert.Contains("prices[1] (b).input must be", error.Message);
        Assert.Contains("prices[2] (c).effective_from", error.Message);
        Assert.Contains("prices[4] (d) has a second row", error.Message);
        Assert.Contains("prices[5] (e).input must be", error.Message);
    }

    [Fact]
    public void Parse_NotAPriceTable_Refused()
    {
        Assert.Throws<FormatException>(() => PriceTableFile.Parse("""{"models":[]}"""u8));
        Assert.Throws<FormatException>(() => PriceTableFile.Parse("not json"u8));
    }
}
