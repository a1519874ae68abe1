using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AiGateway.Tests.Relay;

public sealed class LiveHeadersTests
{
    [Fact]
    public void Relayed_GatewayAndFramingHeaders_LeftOut()
    {
        var headers = Upstream();

        var relayed = LiveHeaders.Snapshot(headers).Relayed;

        Assert.Equal(["Content-Type", "x-request-id", "openai-organization", "x-ratelimit-remaining-requests"], relayed.Select(h => h.Key));
        Assert.Equal("a,b", relayed.Single(h => h.Key == "x-ratelimit-remaining-requests").Value);
    }

    [Fact]
    public void Where_ReplayedHeaders_OnlyWhatTheCacheKeeps()
    {
        var kept = LiveHeaders.Snapshot(Upstream()).Where(ReplayedHeaders.Keeps);

        Assert.Equal(["Content-Type", "x-request-id", "x-ratelimit-remaining-requests"], kept.Select(h => h.Key));
    }

    [Fact]
    public void Snapshot_ResponseChangedAfterwards_KeepsTheHeadersAsTheyWere()
    {
        var headers = Upstream();
        var snapshot = LiveHeaders.Snapshot(headers);

        headers["x-request-id"] = "changed";
        headers.Remove("Content-Type");

        Assert.Equal("req_1", snapshot.Relayed.Single(h => h.Key == "x-request-id").Value);
        Assert.Contains(snapshot.Relayed, h => h.Key == "Content-Type");
    }

    private static HeaderDictionary Upstream() => new()
    {
        ["Content-Type"] = "application/json",
        ["Content-Length"] = "12",
        ["x-request-id"] = "req_1",
        ["openai-organization"] = "org-1",
        ["x-ratelimit-remaining-requests"] = new(["a", "b"]),
        ["x-aigw-cache"] = "miss",
        ["Transfer-Encoding"] = "chunked",
    };
}
