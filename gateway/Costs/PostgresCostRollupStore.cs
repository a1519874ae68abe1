using System.Data.Common;
using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Costs;

/// <summary>
/// The costs export over Postgres: days straight from <c>ai_cost_daily</c> in its primary-key order (an index scan, no
/// sort); months from <c>ai_cost_monthly</c> when the range is whole months, else the daily rows summed per month.
/// Money is <c>numeric</c> as text without trailing zeros: exact, never floating point or an exponent.
/// </summary>
internal sealed class PostgresCostRollupStore(PostgresDatabase database) : ICostRollupStore
{
    /// <inheritdoc/>
    public async Task ReadAsync(CostsQuery query, Func<DbDataReader, Task> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        var customer = CostsColumns.CustomerSql;
        if (query.Group == CostPeriod.Month && query.WholeMonths)
        {
            command.CommandText = $"""
                SELECT to_char(month, 'YYYY-MM') AS period, org_id, {customer} AS customer_id, route, model, requests, cache_hits,
                       prompt_tokens, completion_tokens, trim_scale(cost_usd)::text AS cost_usd, trim_scale(saved_usd)::text AS saved_usd
                FROM ai_cost_monthly
                WHERE {Where(command, query, "month")}
                ORDER BY month, org_id, {customer}, route, model
                """;
        }
        else if (query.Group == CostPeriod.Month)
        {
            command.CommandText = $"""
                SELECT to_char(date_trunc('month', day), 'YYYY-MM') AS period, org_id, {customer} AS customer_id, route, model,
                       sum(requests)::bigint AS requests, sum(cache_hits)::bigint AS cache_hits, sum(prompt_tokens)::bigint AS prompt_tokens,
                       sum(completion_tokens)::bigint AS completion_tokens, trim_scale(sum(cost_usd))::text AS cost_usd,
                       trim_scale(sum(saved_usd))::text AS saved_usd
                FROM ai_cost_daily
                WHERE {Where(command, query, "day")}
                GROUP BY 1, 2, 3, 4, 5
                ORDER BY 1, 2, 3, 4, 5
                """;
        }
        else
        {
            command.CommandText = $"""
                SELECT to_char(day, 'YYYY-MM-DD') AS period, org_id, {customer} AS customer_id, route, model, requests, cache_hits,
                       prompt_tokens, completion_tokens, trim_scale(cost_usd)::text AS cost_usd, trim_scale(saved_usd)::text AS saved_usd
                FROM ai_cost_daily
                WHERE {Where(command, query, "day")}
                ORDER BY day, org_id, {customer}, route, model
                """;
        }

        // Npgsql holds one row at a time; the rows still to come wait in the socket until they are read.
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await write(reader);
    }

    private static string Where(NpgsqlCommand command, CostsQuery query, string dayColumn)
    {
        var where = new List<string> { "true" };
        if (query.From is { } from)
        {
            where.Add($"{dayColumn} >= @from");
            command.Parameters.AddWithValue("from", NpgsqlDbType.Date, from);
        }

        if (query.To is { } to)
        {
            where.Add($"{dayColumn} < @to");
            command.Parameters.AddWithValue("to", NpgsqlDbType.Date, to);
        }

        if (query.Org is { } org)
        {
            where.Add("org_id = @org");
            command.Parameters.AddWithValue("org", NpgsqlDbType.Text, org);
        }

        if (query.Customer is { } customer)
        {
            where.Add($"{CostsColumns.CustomerSql} = @customer");
            command.Parameters.AddWithValue("customer", NpgsqlDbType.Text, customer);
        }

        return string.Join(" AND ", where);
    }
}
