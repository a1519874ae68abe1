using System.Net;
using AiGateway.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Configuration;

public sealed class HotReloadTests
{
    [Fact]
    public async Task EditedUpstreamAddress_AppliesWithoutRestart()
    {
        using var first = WireMockServer.Start();
        using var second = WireMockServer.Start();
        first.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithBody("first"));
        second.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithBody("second"));
        await using var gateway = await TestGateway.StartAsync(new Uri(first.Url!));
        Assert.Equal("first", await gateway.Client.GetStringAsync("v1/models"));

        gateway.RepointUpstream(new Uri(second.Url!));

        // File watching is asynchronous: poll, bounded, until the new address serves (a failure, not a timing assertion).
        var answer = "";
        for (var attempt = 0; attempt < 200 && answer != "second"; attempt++)
        {
            await Task.Delay(100);
            answer = await gateway.Client.GetStringAsync("v1/models");
        }

        Assert.Equal("second", answer);
    }
}
