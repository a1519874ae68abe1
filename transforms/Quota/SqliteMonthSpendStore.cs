using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Quota;

/// <summary>The month's spend per account in the embedded store, summed here as exact decimals (SQLite sums text money as floating point).</summary>
internal sealed class SqliteMonthSpendStore(EmbeddedDatabase database) : IMonthSpendStore
{
    // Each query gives org, customer, key, tokens, cost for one day (or one call) of the month [$from, $to).
    private const string Daily = """
        SELECT org_id, nullif(customer_id, ''), NULL, prompt_tokens + completion_tokens, cost_usd
        FROM ai_cost_daily WHERE day >= $from AND day < $to
        """;

    private const string Keys = """
        SELECT org_id, NULL, key_id, prompt_tokens + completion_tokens, cost_usd
        FROM ai_performance_logs WHERE key_id IS NOT NULL AND ts >= $from AND ts < $to
        """;

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<SpendAccount, MonthSpend>> ReadAllAsync(DateOnly month, CancellationToken cancellationToken)
    {
        var spent = new Dictionary<SpendAccount, MonthSpend>();
        await SumAsync(Daily, month, null, (org, customer, _, day) =>
        {
            Add(spent, SpendAccount.Org(org), day);
            if (customer is not null)
            {
                Add(spent, SpendAccount.Customer(org, customer), day);
            }
        }, cancellationToken);
        await SumAsync(Keys, month, null, (org, _, key, call) => Add(spent, SpendAccount.Key(org, key!), call), cancellationToken);
        return spent;
    }

    /// <inheritdoc/>
    public async Task<MonthSpend> ReadAsync(DateOnly month, SpendAccount account, CancellationToken cancellationToken)
    {
        MonthSpend spent = default;
        var (sql, filter) = account.KeyId is { } key ? (Keys, " AND org_id = $org AND key_id = $scope")
            : account.CustomerId is { } customer ? (Daily, " AND org_id = $org AND customer_id = $scope")
            : (Daily, " AND org_id = $org");
        await SumAsync(sql + filter, month, account, (_, _, _, row) => spent += row, cancellationToken);
        return spent;
    }

    private async Task SumAsync(string sql, DateOnly month, SpendAccount? account, Action<string, string?, string?, MonthSpend> add, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var isLog = sql.Contains("ai_performance_logs", StringComparison.Ordinal);
        var from = new DateTimeOffset(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        command.Parameters.AddWithValue("$from", isLog ? SqliteValues.Time(from) : SqliteValues.Day(month));
        command.Parameters.AddWithValue("$to", isLog ? SqliteValues.Time(from.AddMonths(1)) : SqliteValues.Day(month.AddMonths(1)));
        if (account is { } named)
        {
            command.Parameters.AddWithValue("$org", named.OrgId);
            if ((named.KeyId ?? named.CustomerId) is { } scope)
            {
                command.Parameters.AddWithValue("$scope", scope);
            }
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            add(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                new MonthSpend(reader.GetInt64(3), MonthSpend.ToUnits(SqliteValues.ParseMoney(reader.IsDBNull(4) ? null : reader.GetString(4)))));
        }
    }

    private static void Add(Dictionary<SpendAccount, MonthSpend> spent, SpendAccount account, MonthSpend more) =>
        spent[account] = spent.GetValueOrDefault(account) + more;
}
