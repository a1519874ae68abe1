using AiGateway.Transforms.Relay;
using Xunit;

namespace AiGateway.Tests.Relay;

public sealed class SseEventIdTests
{
    [Fact]
    public void NewResponseId_ManyCalls_DistinctSixteenLowerHexChars()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => SseEventId.NewResponseId()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}$", id));
    }

    [Fact]
    public void TryParse_IdLineOfAnEvent_GivesItsResponseAndPosition()
    {
        var responseId = SseEventId.NewResponseId();

        Assert.True(SseEventId.TryParse(responseId + ":41", out var parsed, out var position));

        Assert.Equal(responseId, parsed);
        Assert.Equal(41, position);
    }

    [Theory]
    [InlineData("0123456789abcdef:2147483647")]
    [InlineData("0123456789abcdef:2147483648")]
    [InlineData("0123456789abcdef:99999999999999999999")]
    [InlineData("0123456789abcdef:-1")]
    [InlineData("0123456789abcdef:+1")]
    [InlineData("0123456789abcdef:")]
    [InlineData(":1")]
    public void TryParse_PositionOutOfRangeOrMalformed_False(string lastEventId)
    {
        Assert.False(SseEventId.TryParse(lastEventId, out _, out _));
    }
}
