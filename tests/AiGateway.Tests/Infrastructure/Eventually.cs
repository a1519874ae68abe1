namespace AiGateway.Tests.Infrastructure;

/// <summary>Polls for an outcome of background work, failing after a generous bound rather than timing anything.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Waits until <paramref name="condition"/> holds; throws with <paramref name="what"/> if it never does.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting: {what}.");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);
}
