using AiGateway.Transforms.Relay;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Tests.Infrastructure;

/// <summary>What a test gateway's in-flight answers look like, for tests that must wait until clients have joined.</summary>
public static class LiveAnswers
{
    /// <summary>Clients reading the gateway's in-flight answers now.</summary>
    public static int Subscribers(TestGateway gateway) =>
        gateway.Services.GetRequiredService<LiveResponseRegistry>().Inflight.Sum(live => live.SubscriberCount);

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds; fails the test otherwise.</summary>
    public static Task WaitUntilAsync(Func<bool> condition) =>
        Infrastructure.Eventually.UntilAsync(condition, "the gateway reached the expected state");
}
