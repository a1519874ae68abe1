using System.Globalization;
using AiGateway.Transforms.Storage;

namespace AiGateway.Transforms.Quota;

/// <summary>The month's spend per org from <c>ai_cost_daily</c> in the embedded store, summed here as exact decimals (SQLite sums text money as floating point).</summary>
internal sealed class SqliteMonthSpendStore(EmbeddedDatabase database) : IMonthSpendStore
{
    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, MonthSpend>> ReadAsync(DateOnly month, string? orgId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT org_id, prompt_tokens + completion_tokens, cost_usd FROM ai_cost_daily WHERE day >= $from AND day < $to"
            + (orgId is null ? "" : " AND org_id = $org");
        command.Parameters.AddWithValue("$from", month.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$to", month.AddMonths(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (orgId is not null)
        {
            command.Parameters.AddWithValue("$org", orgId);
        }

        var spent = new Dictionary<string, MonthSpend>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var org = reader.GetString(0);
            var day = new MonthSpend(reader.GetInt64(1), MonthSpend.ToUnits(SqliteValues.ParseMoney(reader.IsDBNull(2) ? null : reader.GetString(2))));
            spent[org] = spent.GetValueOrDefault(org) + day;
        }

        return spent;
    }
}
