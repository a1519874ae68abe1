namespace AiGateway.Metrics;

/// <summary>
/// How a time range is served: the whole UTC days inside it from the daily rollup, the partial days at its edges from
/// the log (the rollup knows days, not hours).
/// </summary>
internal sealed class MetricsRange
{
    private MetricsRange(bool useRollup, DateOnly? rollupFrom, DateOnly? rollupTo, IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> logRanges)
    {
        UseRollup = useRollup;
        RollupFrom = rollupFrom;
        RollupTo = rollupTo;
        LogRanges = logRanges;
    }

    /// <summary>Whether any whole day is read from the rollup.</summary>
    public bool UseRollup { get; }

    /// <summary>First rollup day, or null for the earliest.</summary>
    public DateOnly? RollupFrom { get; }

    /// <summary>The rollup day after the last one read, or null for none after.</summary>
    public DateOnly? RollupTo { get; }

    /// <summary>The partial days read from the log, as <c>[From, To)</c>.</summary>
    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> LogRanges { get; }

    /// <summary>Splits <c>[from, to)</c> (open where null) into rollup days and log edges.</summary>
    public static MetricsRange Split(DateTimeOffset? from, DateTimeOffset? to)
    {
        DateOnly? firstDay = from is { } f ? CeilingDay(f) : null;
        DateOnly? endDay = to is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : null;
        if (firstDay is { } fd && endDay is { } ed && fd >= ed)
        {
            return new MetricsRange(false, null, null, [(from!.Value, to!.Value)]);
        }

        var logRanges = new List<(DateTimeOffset, DateTimeOffset)>(2);
        if (from is { } start && Midnight(firstDay!.Value) != start)
        {
            logRanges.Add((start, Midnight(firstDay.Value)));
        }

        if (to is { } end && Midnight(endDay!.Value) != end)
        {
            logRanges.Add((Midnight(endDay.Value), end));
        }

        return new MetricsRange(true, firstDay, endDay, logRanges);
    }

    /// <summary>The first moment (UTC) of <paramref name="day"/>.</summary>
    public static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateOnly CeilingDay(DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return Midnight(day) == at ? day : day.AddDays(1);
    }
}
