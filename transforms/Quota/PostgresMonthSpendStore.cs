using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Quota;

/// <summary>The month's spend per account in Postgres, summed there (numeric, exact).</summary>
internal sealed class PostgresMonthSpendStore(PostgresDatabase database) : IMonthSpendStore
{
    // Each query gives org, customer, key, tokens, cost. $1, $2: the month's bounds; $3, $4: the account, when one is asked for.
    private const string Orgs = """
        SELECT org_id, NULL, NULL, sum(prompt_tokens + completion_tokens)::bigint, sum(cost_usd)
        FROM ai_cost_daily WHERE day >= $1 AND day < $2 {0} GROUP BY org_id
        """;

    private const string Customers = """
        SELECT org_id, customer_id, NULL, sum(prompt_tokens + completion_tokens)::bigint, sum(cost_usd)
        FROM ai_cost_daily WHERE day >= $1 AND day < $2 AND customer_id <> '' {0} GROUP BY org_id, customer_id
        """;

    // The rollup has no key: a key's month is summed from the log (index ai_performance_logs_key_ts).
    private const string Keys = """
        SELECT org_id, NULL, key_id, sum(prompt_tokens + completion_tokens)::bigint, coalesce(sum(cost_usd), 0)
        FROM ai_performance_logs WHERE key_id IS NOT NULL AND ts >= $1 AND ts < $2 {0} GROUP BY org_id, key_id
        """;

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<SpendAccount, MonthSpend>> ReadAllAsync(DateOnly month, CancellationToken cancellationToken)
    {
        var spent = new Dictionary<SpendAccount, MonthSpend>();
        foreach (var (sql, isLog) in new[] { (Orgs, false), (Customers, false), (Keys, true) })
        {
            await using var command = Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, ""), month, isLog);
            await ReadAsync(command, spent, cancellationToken);
        }

        return spent;
    }

    /// <inheritdoc/>
    public async Task<MonthSpend> ReadAsync(DateOnly month, SpendAccount account, CancellationToken cancellationToken)
    {
        var (sql, filter, isLog) = account switch
        {
            { KeyId: not null } => (Keys, "AND org_id = $3 AND key_id = $4", true),
            { CustomerId: not null } => (Customers, "AND org_id = $3 AND customer_id = $4", false),
            _ => (Orgs, "AND org_id = $3", false),
        };
        await using var command = Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, filter), month, isLog);
        command.Parameters.Add(new NpgsqlParameter { Value = account.OrgId, NpgsqlDbType = NpgsqlDbType.Text });
        if ((account.KeyId ?? account.CustomerId) is { } scope)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = scope, NpgsqlDbType = NpgsqlDbType.Text });
        }

        var spent = new Dictionary<SpendAccount, MonthSpend>();
        await ReadAsync(command, spent, cancellationToken);
        return spent.Values.FirstOrDefault();
    }

    private static async Task ReadAsync(NpgsqlCommand command, Dictionary<SpendAccount, MonthSpend> spent, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var account = new SpendAccount(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            spent[account] = new MonthSpend(reader.GetInt64(3), MonthSpend.ToUnits(reader.GetDecimal(4)));
        }
    }

    // The rollup's day is a date, the log's ts a timestamptz.
    private NpgsqlCommand Command(string sql, DateOnly month, bool isLog)
    {
        var command = database.DataSource.CreateCommand(sql);
        if (isLog)
        {
            var from = new DateTimeOffset(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            command.Parameters.Add(new NpgsqlParameter { Value = from, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = from.AddMonths(1), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }
        else
        {
            command.Parameters.Add(new NpgsqlParameter { Value = month, NpgsqlDbType = NpgsqlDbType.Date });
            command.Parameters.Add(new NpgsqlParameter { Value = month.AddMonths(1), NpgsqlDbType = NpgsqlDbType.Date });
        }

        return command;
    }
}
