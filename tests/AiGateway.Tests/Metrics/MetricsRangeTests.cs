using AiGateway.Metrics;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary>How a range is split between the daily rollup (whole UTC days) and the log (partial days at the edges).</summary>
public sealed class MetricsRangeTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Split_Open_AllFromRollup()
    {
        var range = MetricsRange.Split(null, null);

        Assert.True(range.UseRollup);
        Assert.Null(range.RollupFrom);
        Assert.Null(range.RollupTo);
        Assert.Empty(range.LogRanges);
    }

    [Fact]
    public void Split_MidDayToMidDay_WholeDaysFromRollupEdgesFromLog()
    {
        var range = MetricsRange.Split(Day.AddHours(6), Day.AddDays(3).AddHours(2));

        Assert.Equal((new DateOnly(2026, 11, 11), new DateOnly(2026, 11, 13)), (range.RollupFrom, range.RollupTo));
        Assert.Equal([(Day.AddHours(6), Day.AddDays(1)), (Day.AddDays(3), Day.AddDays(3).AddHours(2))], range.LogRanges);
    }

    [Fact]
    public void Split_Midnights_OnlyRollup()
    {
        var range = MetricsRange.Split(Day, Day.AddDays(2));

        Assert.Equal((new DateOnly(2026, 11, 10), new DateOnly(2026, 11, 12)), (range.RollupFrom, range.RollupTo));
        Assert.Empty(range.LogRanges);
    }

    [Fact]
    public void Split_WithinOneDay_OnlyLog()
    {
        var range = MetricsRange.Split(Day.AddHours(1), Day.AddHours(23));

        Assert.False(range.UseRollup);
        Assert.Equal([(Day.AddHours(1), Day.AddHours(23))], range.LogRanges);
    }

    [Fact]
    public void Split_AcrossMidnightWithoutWholeDay_OnlyLog()
    {
        var range = MetricsRange.Split(Day.AddHours(20), Day.AddHours(30));

        Assert.False(range.UseRollup);
        Assert.Equal([(Day.AddHours(20), Day.AddHours(30))], range.LogRanges);
    }
}
