using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Walls;

/// <summary><c>object_owners</c> in Postgres.</summary>
internal sealed class PostgresObjectOwnerStore(PostgresDatabase database) : IObjectOwnerStore
{
    /// <inheritdoc/>
    public async Task<ObjectOwner?> FindAsync(string objectId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("SELECT org_id, customer_id, kind FROM object_owners WHERE object_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = objectId, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ObjectOwner(objectId, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2))
            : null;
    }

    /// <inheritdoc/>
    public async Task<bool> RecordAsync(ObjectOwner owner, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            "INSERT INTO object_owners (object_id, org_id, customer_id, kind) VALUES ($1, $2, $3, $4) ON CONFLICT (object_id) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = owner.ObjectId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = owner.OrgId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)owner.CustomerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = owner.Kind, NpgsqlDbType = NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
