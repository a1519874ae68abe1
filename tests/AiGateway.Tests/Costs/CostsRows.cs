using System.Globalization;
using AiGateway.Tests.Metrics;
using AiGateway.Transforms.CostLog;

namespace AiGateway.Tests.Costs;

/// <summary>Log rows over three calendar months for the costs export, and the CSV records they should give, computed here rather than by SQL.</summary>
internal static class CostsRows
{
    /// <summary>The first day of the month two months before this one (UTC): the rows start there.</summary>
    public static DateOnly FirstMonth { get; } = new DateOnly(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1).AddMonths(-2);

    /// <summary><see cref="MetricsRows"/>' varied rows, spread from <see cref="FirstMonth"/> to today.</summary>
    public static List<PerfLogRecord> Generate(int count, int seed = 11)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(FirstMonth.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var span = DateTimeOffset.UtcNow.AddMinutes(-1) - start;
        var rows = MetricsRows.Generate(count, seed);
        string?[] customers = [null, "cust-1", "cust.2"];
        foreach (var row in rows)
        {
            row.Ts = start + TimeSpan.FromMilliseconds(Math.Floor(random.NextDouble() * span.TotalMilliseconds));
            row.CustomerId = customers[random.Next(customers.Length)];
        }

        return rows;
    }

    /// <summary>The records (header excluded) the export gives for <paramref name="rows"/> within the UTC days [from, to).</summary>
    public static List<string[]> Expected(IEnumerable<PerfLogRecord> rows, string? org, DateOnly? from, DateOnly? to, bool monthly, string? customer = null)
        => rows
            .Where(r => (org is null || r.OrgId == org) && (from is null || Day(r) >= from) && (to is null || Day(r) < to)
                && (customer is null || r.CustomerId == customer))
            .GroupBy(r => (
                Period: monthly ? Day(r).ToString("yyyy-MM", CultureInfo.InvariantCulture) : Day(r).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                r.OrgId,
                Customer: r.CustomerId ?? "",
                Route: r.Route ?? "",
                Model: r.ModelUsed ?? r.ModelRequested ?? ""))
            .OrderBy(g => g.Key.Period, StringComparer.Ordinal).ThenBy(g => g.Key.OrgId, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Customer, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Route, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => new[]
            {
                g.Key.Period, g.Key.OrgId, g.Key.Customer, g.Key.Route, g.Key.Model,
                Integer(g.LongCount()), Integer(g.LongCount(r => r.CacheStatus == "hit")),
                Integer(g.Sum(r => r.PromptTokens)), Integer(g.Sum(r => r.CompletionTokens)),
                Money(g.Sum(r => r.CostUsd ?? 0m)), Money(g.Sum(r => r.SavedUsd ?? 0m)),
            })
            .ToList();

    /// <summary>An amount as the export writes it: the exact decimal, invariant, without trailing zeros.</summary>
    public static string Money(decimal value) => (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static DateOnly Day(PerfLogRecord row) => DateOnly.FromDateTime(row.Ts.UtcDateTime);
}
