using System.Data.Common;
using System.Text.Json;

namespace AiGateway.Transforms.Identity;

/// <summary>
/// Reads <c>api_keys</c> rows from either database. Both stores select <see cref="Columns"/> in this order, <c>models</c>
/// as a JSON array and <c>labels</c> as JSON text; each reader turns its own types (timestamps or ISO-8601 text, numeric
/// or decimal text, boolean or 0/1) into the values asked for.
/// </summary>
internal static class ApiKeyRows
{
    /// <summary>The columns of a key, in the order <see cref="ReadAllAsync"/> reads them.</summary>
    public const string Columns = "key_hash, org_id, name, created_at, revoked_at, models, expires_at, monthly_usd_budget, " +
        "rpm_limit, tpm_limit, max_concurrent, may_name_customers, upstream_key_env, labels";

    /// <summary>The keys <paramref name="command"/> selects.</summary>
    public static async Task<List<ApiKeyRecord>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var records = new List<ApiKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new ApiKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), Time(reader, 3), OptionalTime(reader, 4))
            {
                Models = JsonSerializer.Deserialize<string[]>(reader.GetString(5)) ?? [],
                ExpiresAt = OptionalTime(reader, 6),
                MonthlyUsdBudget = reader.IsDBNull(7) ? null : reader.GetDecimal(7),
                RpmLimit = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                TpmLimit = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                MaxConcurrent = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                MayNameCustomers = reader.GetBoolean(11),
                UpstreamKeyEnv = reader.IsDBNull(12) ? null : reader.GetString(12),
                Labels = reader.GetString(13),
            });
        }

        return records;
    }

    private static DateTime Time(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal).UtcDateTime;

    private static DateTime? OptionalTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);
}
