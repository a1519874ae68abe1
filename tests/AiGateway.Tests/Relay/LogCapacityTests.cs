using AiGateway.Transforms.Relay;
using Xunit;

namespace AiGateway.Tests.Relay;

public sealed class LogCapacityTests
{
    [Fact]
    public void First_AfterStreamsOfOneSize_FitsThemWithLittleToSpare()
    {
        var capacity = new LogCapacity();
        for (var i = 0; i < 1000; i++)
        {
            capacity.Learn(6159);
        }

        // Answers of one steady size keep fitting while the estimate hovers around it.
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(capacity.First, 6159, 6159 * 9 / 8);
            capacity.Learn(6159);
        }
    }

    [Fact]
    public void First_AfterLargerStreams_NeverAboveTheFixedSizeUsedBefore()
    {
        var capacity = new LogCapacity();
        for (var i = 0; i < 1000; i++)
        {
            capacity.Learn(100_000);
        }

        Assert.Equal(LogCapacity.Max, capacity.First);
    }

    [Fact]
    public void First_AfterTinyStreams_NotBelowTheMinimum()
    {
        var capacity = new LogCapacity();
        for (var i = 0; i < 10_000; i++)
        {
            capacity.Learn(10);
        }

        Assert.InRange(capacity.First, LogCapacity.Min, 2 * LogCapacity.Min);
    }
}
