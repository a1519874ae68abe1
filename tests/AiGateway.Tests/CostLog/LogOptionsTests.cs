using AiGateway.Config;
using Xunit;

namespace AiGateway.Tests.CostLog;

public sealed class LogOptionsTests
{
    [Fact]
    public void Validate_Defaults_Accepted()
    {
        var options = new GatewayOptions();

        Assert.True(new GatewayOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(500, options.Log.FlushIntervalMs);
        Assert.Equal(13, options.Log.RetentionMonths);
    }

    [Fact]
    public void Validate_OutOfRange_EveryProblemReported()
    {
        var options = new GatewayOptions { Log = { FlushIntervalMs = 1001, RetentionMonths = 0, QueueCapacity = 10, BatchSize = 0, PriceRefreshSeconds = 1 } };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[] { "FlushIntervalMs", "RetentionMonths", "QueueCapacity", "BatchSize", "PriceRefreshSeconds" })
        {
            Assert.Contains($"Gateway:Log:{key}", result.FailureMessage);
        }
    }
}
