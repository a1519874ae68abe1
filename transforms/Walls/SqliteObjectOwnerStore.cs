using System.Globalization;
using AiGateway.Transforms.Storage;

namespace AiGateway.Transforms.Walls;

/// <summary><c>object_owners</c> in the embedded SQLite store.</summary>
internal sealed class SqliteObjectOwnerStore(EmbeddedDatabase database, TimeProvider time) : IObjectOwnerStore
{
    /// <inheritdoc/>
    public async Task<ObjectOwner?> FindAsync(string objectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT org_id, customer_id, kind FROM object_owners WHERE object_id = $id";
        command.Parameters.AddWithValue("$id", objectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ObjectOwner(objectId, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2))
            : null;
    }

    /// <inheritdoc/>
    public async Task<bool> RecordAsync(ObjectOwner owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO object_owners (object_id, org_id, customer_id, kind, created_at) VALUES ($id, $org, $customer, $kind, $created)
            ON CONFLICT (object_id) DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", owner.ObjectId);
        command.Parameters.AddWithValue("$org", owner.OrgId);
        command.Parameters.AddWithValue("$customer", (object?)owner.CustomerId ?? DBNull.Value);
        command.Parameters.AddWithValue("$kind", owner.Kind);
        command.Parameters.AddWithValue("$created", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
