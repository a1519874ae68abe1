using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Quota;

/// <summary>The month's spend per org from <c>ai_cost_daily</c> in Postgres, summed there (numeric, exact).</summary>
internal sealed class PostgresMonthSpendStore(PostgresDatabase database) : IMonthSpendStore
{
    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, MonthSpend>> ReadAsync(DateOnly month, string? orgId, CancellationToken cancellationToken)
    {
        // Hits and followers are logged with no tokens and a zero cost, so the sums are what was billed.
        await using var command = database.DataSource.CreateCommand($"""
            SELECT org_id, sum(prompt_tokens + completion_tokens)::bigint, sum(cost_usd)
            FROM ai_cost_daily
            WHERE day >= $1 AND day < $2{(orgId is null ? "" : " AND org_id = $3")}
            GROUP BY org_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = month, NpgsqlDbType = NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = month.AddMonths(1), NpgsqlDbType = NpgsqlDbType.Date });
        if (orgId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = orgId, NpgsqlDbType = NpgsqlDbType.Text });
        }

        var spent = new Dictionary<string, MonthSpend>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            spent[reader.GetString(0)] = new MonthSpend(reader.GetInt64(1), MonthSpend.ToUnits(reader.GetDecimal(2)));
        }

        return spent;
    }
}
