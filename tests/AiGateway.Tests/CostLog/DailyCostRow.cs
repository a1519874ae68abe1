using System.Globalization;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;

namespace AiGateway.Tests.CostLog;

/// <summary>One row of <c>ai_cost_daily</c> as read from either store (day as <c>yyyy-MM-dd</c>, money as exact decimals).</summary>
internal sealed record DailyCostRow(
    string Day, string OrgId, string Route, string Model, long Requests, long CacheHits, long PromptTokens, long CompletionTokens, decimal CostUsd, decimal SavedUsd)
{
    /// <summary>The rollup as it should be for <paramref name="rows"/>: CONTRACT §7's grouping, computed here rather than by SQL.</summary>
    public static List<DailyCostRow> FromLog(IEnumerable<PerfLogRecord> rows) => rows
        .GroupBy(r => (
            Day: r.Ts.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            r.OrgId,
            Route: r.Route ?? "",
            Model: r.ModelUsed ?? r.ModelRequested ?? ""))
        .Select(g => new DailyCostRow(
            g.Key.Day,
            g.Key.OrgId,
            g.Key.Route,
            g.Key.Model,
            g.LongCount(),
            g.LongCount(r => r.CacheStatus == "hit"),
            g.Sum(r => r.PromptTokens),
            g.Sum(r => r.CompletionTokens),
            g.Sum(r => r.CostUsd ?? 0m),
            g.Sum(r => r.SavedUsd ?? 0m)))
        .OrderBy(r => r.Key, StringComparer.Ordinal)
        .ToList();

    /// <summary>The rollup key, for sorting.</summary>
    public string Key => $"{Day}|{OrgId}|{Route}|{Model}";
}
