namespace AiGateway.Metrics;

/// <summary>Money as the API writes it: the exact decimal, without the trailing zeros of <c>numeric(20,10)</c>.</summary>
internal static class Money
{
    /// <summary>The same amount at the smallest scale that holds it exactly (0.1230000000 → 0.123).</summary>
    public static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>
    /// <paramref name="total"/> / <paramref name="calls"/> rounded half to even at the 10 decimals of <c>numeric(20,10)</c>
    /// (an exact share seldom has a finite decimal form); 0 without calls.
    /// </summary>
    public static decimal PerCall(decimal total, long calls) => calls == 0 ? 0m : Normalize(Math.Round(total / calls, 10, MidpointRounding.ToEven));
}
