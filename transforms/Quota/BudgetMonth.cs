namespace AiGateway.Transforms.Quota;

/// <summary>Budgets run per calendar month in UTC, the months of the log's partitions and of the rollup's days.</summary>
internal static class BudgetMonth
{
    /// <summary>The first day of the UTC month holding <paramref name="at"/>.</summary>
    public static DateOnly Of(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateOnly(utc.Year, utc.Month, 1);
    }

    /// <summary>The moment the month starting on <paramref name="month"/> begins.</summary>
    public static DateTimeOffset Start(DateOnly month) => new(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
