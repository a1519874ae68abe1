using AiGateway.Transforms.Dedupe;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Infrastructure;

/// <summary>What a test gateway's in-flight answers look like, for tests that must wait until clients have joined.</summary>
public static class LiveAnswers
{
    /// <summary>Clients reading the gateway's in-flight answers now.</summary>
    public static int Subscribers(TestGateway gateway) =>
        gateway.Services.GetRequiredService<LiveResponseRegistry>().Inflight.Sum(live => live.SubscriberCount);

    /// <summary>Polls (bounded, 30 s) until <paramref name="condition"/> holds; fails the test otherwise.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 600 && !condition(); attempt++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the gateway did not reach the expected state");
    }
}
