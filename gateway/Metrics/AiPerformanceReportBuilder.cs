namespace AiGateway.Metrics;

/// <summary>Shapes what a store read into the report: totals and breakdowns from the cost groups, latency from the log.</summary>
internal static class AiPerformanceReportBuilder
{
    /// <summary>Builds the report for <paramref name="filter"/>, listing <paramref name="topRoutes"/> slowest and most called routes.</summary>
    public static AiPerformanceReport Build(AiMetricsFilter filter, AiMetricsData data, int topRoutes)
    {
        var modelLatency = data.ByModel.ToDictionary(l => l.Key, StringComparer.Ordinal);
        var byModel = data.Costs
            .GroupBy(c => c.Model, StringComparer.Ordinal)
            .Select(g => Sum(g))
            .Select(s =>
            {
                modelLatency.TryGetValue(s.Key, out var latency);
                return new ModelMetrics
                {
                    Model = s.Key,
                    Requests = s.Requests,
                    CacheHits = s.CacheHits,
                    CacheHitRate = Rate(s.CacheHits, s.Requests),
                    DedupeFollowers = latency?.DedupeFollowers ?? 0,
                    PromptTokens = s.PromptTokens,
                    CompletionTokens = s.CompletionTokens,
                    CostUsd = Money.Normalize(s.CostUsd),
                    AvgCostUsd = Money.PerCall(s.CostUsd, s.Requests),
                    SavedUsd = Money.Normalize(s.SavedUsd),
                    DurationP50Ms = latency?.DurationP50Ms,
                    DurationP95Ms = latency?.DurationP95Ms,
                    TtftP50Ms = latency?.TtftP50Ms,
                    TtftP95Ms = latency?.TtftP95Ms,
                };
            })
            .OrderByDescending(m => m.CostUsd).ThenByDescending(m => m.Requests).ThenBy(m => m.Model, StringComparer.Ordinal)
            .ToList();

        var byRoute = data.Costs
            .GroupBy(c => c.Route, StringComparer.Ordinal)
            .Select(g => Sum(g))
            .Select(s => new RouteMetrics
            {
                Route = s.Key,
                Requests = s.Requests,
                CacheHits = s.CacheHits,
                CacheHitRate = Rate(s.CacheHits, s.Requests),
                PromptTokens = s.PromptTokens,
                CompletionTokens = s.CompletionTokens,
                CostUsd = Money.Normalize(s.CostUsd),
                AvgCostUsd = Money.PerCall(s.CostUsd, s.Requests),
                SavedUsd = Money.Normalize(s.SavedUsd),
            })
            .ToList();

        var requests = data.Costs.Sum(c => c.Requests);
        var hits = data.Costs.Sum(c => c.CacheHits);
        return new AiPerformanceReport
        {
            Org = filter.Org,
            Customer = filter.Customer,
            Route = filter.Route,
            Model = filter.Model,
            From = filter.From,
            To = filter.To,
            Requests = requests,
            CacheHits = hits,
            CacheHitRate = Rate(hits, requests),
            DedupeFollowers = data.Total.DedupeFollowers,
            CostUsd = Money.Normalize(data.Costs.Sum(c => c.CostUsd)),
            SavedUsd = Money.Normalize(data.Costs.Sum(c => c.SavedUsd)),
            PromptTokens = data.Costs.Sum(c => c.PromptTokens),
            CompletionTokens = data.Costs.Sum(c => c.CompletionTokens),
            DurationP50Ms = data.Total.DurationP50Ms,
            DurationP95Ms = data.Total.DurationP95Ms,
            TtftP50Ms = data.Total.TtftP50Ms,
            TtftP95Ms = data.Total.TtftP95Ms,
            ByModel = byModel,
            ByRoute = byRoute.OrderByDescending(r => r.CostUsd).ThenByDescending(r => r.Requests).ThenBy(r => r.Route, StringComparer.Ordinal).ToList(),
            TopExpensive = data.TopExpensive.Select(c => c with { CostUsd = Money.Normalize(c.CostUsd) }).ToList(),
            SlowestRoutes = data.ByRoute
                .OrderByDescending(r => r.DurationP95Ms ?? 0).ThenByDescending(r => r.DurationP50Ms ?? 0).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Take(topRoutes)
                .Select(r => new RouteLatency(r.Key, r.Requests, r.DurationP50Ms, r.DurationP95Ms))
                .ToList(),
            MostCalledRoutes = byRoute.OrderByDescending(r => r.Requests).ThenBy(r => r.Route, StringComparer.Ordinal).Take(topRoutes).ToList(),
        };
    }

    private static double Rate(long hits, long requests) => requests == 0 ? 0 : (double)hits / requests;

    private static (string Key, long Requests, long CacheHits, long PromptTokens, long CompletionTokens, decimal CostUsd, decimal SavedUsd) Sum(IGrouping<string, CostGroup> group)
        => (group.Key, group.Sum(c => c.Requests), group.Sum(c => c.CacheHits), group.Sum(c => c.PromptTokens), group.Sum(c => c.CompletionTokens),
            group.Sum(c => c.CostUsd), group.Sum(c => c.SavedUsd));
}
