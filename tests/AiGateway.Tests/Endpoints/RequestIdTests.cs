using AiGateway.Transforms.Endpoints;
using Xunit;

namespace AiGateway.Tests.Endpoints;

public sealed class RequestIdTests
{
    [Fact]
    public void NewVersion7_Always_Rfc9562Version7WithTheCallsMillisecondsFirst()
    {
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);

        var id = RequestId.NewVersion7(at);

        Assert.Equal(7, id.Version);
        Assert.Equal(0x8, id.Variant & 0xC);
        var text = id.ToString("N");
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(text[..12], 16));
    }

    [Fact]
    public void NewVersion7_SameMillisecond_DistinctIdsOrderedByTimeAcrossMilliseconds()
    {
        var at = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 10_000).Select(_ => RequestId.NewVersion7(at)).ToHashSet();
        var later = RequestId.NewVersion7(at.AddMilliseconds(1));

        Assert.Equal(10_000, ids.Count);
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(id.ToString(), later.ToString()) < 0));
    }
}
