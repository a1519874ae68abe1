using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;

namespace AiGateway.Tests.Metrics;

/// <summary>The metrics computed independently, in plain LINQ over the rows a test generated.</summary>
internal static class ExpectedMetrics
{
    /// <summary>The rows a query with these filters covers.</summary>
    public static List<PerfLogRecord> Filter(IEnumerable<PerfLogRecord> rows, string? org, string? route, string? model, DateTimeOffset? from, DateTimeOffset? to)
        => rows.Where(r => (org is null || r.OrgId == org)
                && (route is null || (r.Route ?? "") == route)
                && (model is null || Model(r) == model)
                && (from is null || r.Ts >= from)
                && (to is null || r.Ts < to))
            .ToList();

    /// <summary>The model a row is counted under: the one sent upstream, else the one asked for.</summary>
    public static string Model(PerfLogRecord row) => row.ModelUsed ?? row.ModelRequested ?? "";

    /// <summary>The route a row is counted under.</summary>
    public static string Route(PerfLogRecord row) => row.Route ?? "";

    /// <summary>The continuous percentile of the values (linear interpolation between closest ranks), or null without values.</summary>
    public static double? Percentile(IEnumerable<int> values, double p)
    {
        var sorted = values.Select(v => (double)v).OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var rank = p * (sorted.Length - 1);
        var below = (int)rank;
        return below + 1 < sorted.Length ? sorted[below] + ((rank - below) * (sorted[below + 1] - sorted[below])) : sorted[below];
    }

    /// <summary>A resumed stream, as its row says.</summary>
    public static bool IsResume(PerfLogRecord r) => r.Stream && r.DedupeRole == "resumer";

    /// <summary>A dropped stream: failed, or its client left without releasing it.</summary>
    public static bool IsDrop(PerfLogRecord r) => r.Stream && (r.Error == "failed" || r.Error == "client_gone");

    /// <summary>A stopped call: released by its app, or cancelled by an operator.</summary>
    public static bool IsStop(PerfLogRecord r) => r.Error is "released" or "cancelled";
}
