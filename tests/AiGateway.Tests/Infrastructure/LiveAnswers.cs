using AiGateway.Transforms.Relay;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Tests.Infrastructure;

/// <summary>What a test gateway's in-flight answers look like, for tests that must wait until clients have joined.</summary>
public static class LiveAnswers
{
    /// <summary>Clients reading the gateway's in-flight answers now, besides the leaders' own (followers, resumers, other instances).</summary>
    public static int Subscribers(TestGateway gateway) =>
        gateway.Services.GetRequiredService<LiveResponseRegistry>().Inflight.Sum(live => live.JoinerCount);

    /// <summary>The gateway's in-flight answers whose upstream has answered and which have not ended yet.</summary>
    public static int Started(TestGateway gateway) =>
        gateway.Services.GetRequiredService<LiveResponseRegistry>().Inflight.Count(live => live.State == LiveState.Started);

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds; fails the test otherwise.</summary>
    public static Task WaitUntilAsync(Func<bool> condition) =>
        Infrastructure.Eventually.UntilAsync(condition, "the gateway reached the expected state");
}
