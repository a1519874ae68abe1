using System.Text.Json;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Identity;

/// <summary><c>api_keys</c> in the embedded SQLite store under <c>Gateway:DataDir</c>: times ISO-8601 text, lists JSON text.</summary>
internal sealed class SqliteApiKeyStore(EmbeddedDatabase database) : IApiKeyStore
{
    private const string Columns = "key_hash, org_id, name, created_at, revoked_at, models, expires_at, monthly_usd_budget, " +
        "rpm_limit, tpm_limit, max_concurrent, may_name_customers, upstream_key_env, labels";

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM api_keys WHERE key_hash = $hash";
        command.Parameters.AddWithValue("$hash", keyHash);
        return (await ReadAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (key_hash, org_id, name, created_at, models, expires_at, monthly_usd_budget, rpm_limit, tpm_limit,
                max_concurrent, may_name_customers, upstream_key_env, labels)
            VALUES ($hash, $org, $name, $created, $models, $expires, $budget, $rpm, $tpm, $concurrent, $customers, $env, $labels)
            """;
        var p = command.Parameters;
        p.AddWithValue("$hash", record.KeyHash);
        p.AddWithValue("$org", record.OrgId);
        p.AddWithValue("$name", record.Name);
        p.AddWithValue("$created", SqliteValues.Time(Utc(record.CreatedAt)));
        p.AddWithValue("$models", JsonSerializer.Serialize(record.Models));
        p.AddWithValue("$expires", record.ExpiresAt is { } expires ? SqliteValues.Time(Utc(expires)) : DBNull.Value);
        p.AddWithValue("$budget", record.MonthlyUsdBudget is { } budget ? SqliteValues.Money(budget) : DBNull.Value);
        p.AddWithValue("$rpm", (object?)record.RpmLimit ?? DBNull.Value);
        p.AddWithValue("$tpm", (object?)record.TpmLimit ?? DBNull.Value);
        p.AddWithValue("$concurrent", (object?)record.MaxConcurrent ?? DBNull.Value);
        p.AddWithValue("$customers", record.MayNameCustomers ? 1 : 0);
        p.AddWithValue("$env", (object?)record.UpstreamKeyEnv ?? DBNull.Value);
        p.AddWithValue("$labels", record.Labels);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM api_keys ORDER BY created_at DESC";
        return await ReadAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<int> RevokeAsync(string keyHashPrefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = $now WHERE revoked_at IS NULL AND substr(key_hash, 1, length($prefix)) = $prefix";
        command.Parameters.AddWithValue("$now", SqliteValues.Time(DateTime.UtcNow));
        command.Parameters.AddWithValue("$prefix", keyHashPrefix);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<ApiKeyRecord>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var records = new List<ApiKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new ApiKeyRecord(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), Time(reader.GetString(3)), reader.IsDBNull(4) ? null : Time(reader.GetString(4)))
            {
                Models = JsonSerializer.Deserialize<string[]>(reader.GetString(5)) ?? [],
                ExpiresAt = reader.IsDBNull(6) ? null : Time(reader.GetString(6)),
                MonthlyUsdBudget = reader.IsDBNull(7) ? null : SqliteValues.ParseMoney(reader.GetString(7)),
                RpmLimit = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                TpmLimit = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                MaxConcurrent = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                MayNameCustomers = reader.GetInt64(11) != 0,
                UpstreamKeyEnv = reader.IsDBNull(12) ? null : reader.GetString(12),
                Labels = reader.GetString(13),
            });
        }

        return records;
    }

    private static DateTime Time(string text) => SqliteValues.ParseTime(text).UtcDateTime;

    // Key times are UTC whatever their kind says (a DateTime of unspecified kind would otherwise be taken as local).
    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
