using AiGateway.Transforms.Caching;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// A batch's rows of <c>ai_cost_daily</c>, summed in memory the way the rollup is defined: day is the UTC date of ts,
/// customer and route '' when absent, model = model_used, else model_requested, else ''; a request is a hit when its cache status is
/// <c>hit</c>; money without a price counts as 0.
/// </summary>
internal static class RollupRows
{
    /// <summary>The upsert <paramref name="sql"/> with the batch's rollup rows bound as arrays (@day, @org, @customer, … @saved).</summary>
    public static NpgsqlCommand UpsertCommand(IReadOnlyList<PerfLogRecord> batch, string sql, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var sums = new Dictionary<(DateOnly Day, string Org, string Customer, string Route, string Model), Sum>();
        foreach (var r in batch)
        {
            var key = (DateOnly.FromDateTime(r.Ts.UtcDateTime), r.OrgId ?? "", r.CustomerId ?? "", r.Route ?? "", r.ModelUsed ?? r.ModelRequested ?? "");
            sums.TryGetValue(key, out var sum);
            sums[key] = new Sum(
                sum.Requests + 1,
                sum.Hits + (r.CacheStatus == "hit" ? 1 : 0),
                sum.Prompt + r.PromptTokens,
                sum.Completion + r.CompletionTokens,
                sum.Cost + AsStored(r.CostUsd),
                sum.Saved + AsStored(r.SavedUsd));
        }

        var n = sums.Count;
        var day = new DateOnly[n];
        var org = new string[n];
        var customer = new string[n];
        var route = new string[n];
        var model = new string[n];
        var requests = new long[n];
        var hits = new long[n];
        var prompt = new long[n];
        var completion = new long[n];
        var cost = new decimal[n];
        var saved = new decimal[n];
        var i = 0;
        foreach (var (key, sum) in sums)
        {
            (day[i], org[i], customer[i], route[i], model[i]) = key;
            (requests[i], hits[i], prompt[i], completion[i], cost[i], saved[i]) = sum;
            i++;
        }

        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]>("day", NpgsqlDbType.Array | NpgsqlDbType.Date) { TypedValue = day });
        command.Parameters.Add(new NpgsqlParameter<string[]>("org", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = org });
        command.Parameters.Add(new NpgsqlParameter<string[]>("customer", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = customer });
        command.Parameters.Add(new NpgsqlParameter<string[]>("route", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = route });
        command.Parameters.Add(new NpgsqlParameter<string[]>("model", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = model });
        command.Parameters.Add(new NpgsqlParameter<long[]>("requests", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = requests });
        command.Parameters.Add(new NpgsqlParameter<long[]>("hits", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = hits });
        command.Parameters.Add(new NpgsqlParameter<long[]>("prompt", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = prompt });
        command.Parameters.Add(new NpgsqlParameter<long[]>("completion", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = completion });
        command.Parameters.Add(new NpgsqlParameter<decimal[]>("cost", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { TypedValue = cost });
        command.Parameters.Add(new NpgsqlParameter<decimal[]>("saved", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { TypedValue = saved });
        return command;
    }

    // The value the log's numeric(20,10) column holds (Postgres rounds half away from zero), so that the rollup stays
    // exactly the sum of the log.
    private static decimal AsStored(decimal? money) => money is { } m ? Math.Round(m, 10, MidpointRounding.AwayFromZero) : 0m;

    private readonly record struct Sum(long Requests, long Hits, long Prompt, long Completion, decimal Cost, decimal Saved);
}
