using System.Data.Common;
using System.Globalization;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Costs;

/// <summary>
/// The costs export over the embedded store, which keeps only <c>ai_cost_daily</c>: days in its primary-key order, months
/// summed from the days in SQL, money added as exact decimals by an aggregate of our own (SQLite's <c>sum</c> would
/// turn the decimal text into floating point).
/// </summary>
internal sealed class SqliteCostRollupStore(EmbeddedDatabase database) : ICostRollupStore
{
    private const string MoneySum = "aigw_money_sum";

    /// <inheritdoc/>
    public async Task ReadAsync(CostsQuery query, Func<DbDataReader, Task> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var customer = CostsColumns.CustomerSql;
        var where = Where(command, query);
        if (query.Group == CostPeriod.Month)
        {
            connection.CreateAggregate<string?, decimal, string>(MoneySum, 0m,
                (total, amount) => total + SqliteValues.ParseMoney(amount), total => SqliteValues.Money(total), isDeterministic: true);
            command.CommandText = $"""
                SELECT substr(day, 1, 7) AS period, org_id, {customer} AS customer_id, route, model,
                       sum(requests) AS requests, sum(cache_hits) AS cache_hits, sum(prompt_tokens) AS prompt_tokens,
                       sum(completion_tokens) AS completion_tokens, {MoneySum}(cost_usd) AS cost_usd, {MoneySum}(saved_usd) AS saved_usd
                FROM ai_cost_daily
                WHERE {where}
                GROUP BY 1, 2, 3, 4, 5
                ORDER BY 1, 2, 3, 4, 5
                """;
        }
        else
        {
            command.CommandText = $"""
                SELECT day AS period, org_id, {customer} AS customer_id, route, model, requests, cache_hits,
                       prompt_tokens, completion_tokens, cost_usd, saved_usd
                FROM ai_cost_daily
                WHERE {where}
                ORDER BY day, org_id, {customer}, route, model
                """;
        }

        // SQLite steps through the rows as they are read; the reader never holds more than the current one.
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await write(reader);
    }

    private static string Where(SqliteCommand command, CostsQuery query)
    {
        var where = new List<string> { "1 = 1" };
        if (query.From is { } from)
        {
            where.Add("day >= $from");
            command.Parameters.AddWithValue("$from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (query.To is { } to)
        {
            where.Add("day < $to");
            command.Parameters.AddWithValue("$to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (query.Org is { } org)
        {
            where.Add("org_id = $org");
            command.Parameters.AddWithValue("$org", org);
        }

        if (query.Customer is { } customer)
        {
            where.Add($"{CostsColumns.CustomerSql} = $customer");
            command.Parameters.AddWithValue("$customer", customer);
        }

        return string.Join(" AND ", where);
    }
}
