namespace AiGateway.Metrics;

/// <summary>Percentiles computed exactly as Postgres' <c>percentile_cont</c> does, for the embedded store.</summary>
internal static class Percentile
{
    /// <summary>
    /// The continuous percentile <paramref name="fraction"/> (0–1) of <paramref name="sorted"/> (ascending): linear
    /// interpolation between the values at <c>floor</c> and <c>ceil</c> of <c>fraction × (n − 1)</c>; null when empty.
    /// </summary>
    public static double? Continuous(IReadOnlyList<int> sorted, double fraction)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        var position = fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        double first = sorted[lower];
        return lower == upper ? first : first + ((position - lower) * (sorted[upper] - first));
    }
}
