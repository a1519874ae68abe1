using System.Text;
using AiGateway.Transforms.Caching;
using Xunit;

namespace AiGateway.Tests.Caching;

public sealed class CachedResponseSerializerTests
{
    [Fact]
    public void Deserialize_SerializedStreamEntry_RoundTrips()
    {
        var payload = Encoding.UTF8.GetBytes("data: {\"a\":\"é\"}\n\ndata: [DONE]\n\n");
        var entry = new CachedResponse(200, [new("Content-Type", "text/event-stream"), new("x-request-id", "req_1")], payload, [19, payload.Length], 0, 1_700_000_000_123, "0123456789abcdef");

        using var copy = CachedResponseSerializer.Deserialize(CachedResponseSerializer.Serialize(entry), null)!;

        Assert.Equal(200, copy.StatusCode);
        Assert.Equal(entry.Headers, copy.Headers);
        Assert.Equal(payload, copy.Payload.ToArray());
        Assert.Equal(entry.EventEnds, copy.EventEnds);
        Assert.Equal(0, copy.UsageEventIndex);
        Assert.Equal(1_700_000_000_123, copy.CreatedAtUnixMs);
        Assert.Equal("0123456789abcdef", copy.ResponseId);
    }

    [Fact]
    public void Deserialize_JsonEntry_HasNoEvents()
    {
        var entry = new CachedResponse(201, [], "{}"u8.ToArray(), null, -1, 5, "r");

        using var copy = CachedResponseSerializer.Deserialize(CachedResponseSerializer.Serialize(entry), null)!;

        Assert.False(copy.IsStream);
        Assert.Equal("{}", Encoding.UTF8.GetString(copy.Payload.Span));
    }

    [Fact]
    public void Deserialize_UnknownVersion_Miss()
    {
        Assert.Null(CachedResponseSerializer.Deserialize(new byte[] { 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, null));
    }
}
