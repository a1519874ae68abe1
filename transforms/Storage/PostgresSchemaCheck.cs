using Npgsql;

namespace AiGateway.Transforms.Storage;

/// <summary>
/// Compares a live Postgres schema with the one its migration scripts define. DDL is transactional in Postgres, so the
/// expected schema is real: in one transaction the scripts run into a scratch schema (first on the search path; they
/// name no schema), both schemas are read from the catalog, and the transaction is rolled back, leaving nothing behind.
/// </summary>
internal static class PostgresSchemaCheck
{
    /// <summary>The differences between the schema <paramref name="connection"/> works in and what <paramref name="scripts"/> define.</summary>
    public static async Task<IReadOnlyList<string>> DifferencesAsync(NpgsqlConnection connection, IEnumerable<MigrationScripts.Script> scripts, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var live = (string)(await ScalarAsync(connection, transaction, "SELECT current_schema()", cancellationToken))!;
        var scratch = "aigw_schema_check_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA {scratch}; SET LOCAL search_path = {scratch};", cancellationToken);
        foreach (var script in scripts)
        {
            await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
        }

        var expected = await ReadAsync(connection, transaction, scratch, cancellationToken);
        var actual = await ReadAsync(connection, transaction, live, cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
        return expected.Differences(actual);
    }

    /// <summary>Reads the tables (partitions left out), columns, indexes and functions of <paramref name="schema"/>.</summary>
    private static async Task<SchemaShape> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, CancellationToken cancellationToken)
    {
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        var columns = new Dictionary<string, Dictionary<string, ColumnShape>>(StringComparer.Ordinal);
        var indexes = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        await ForEachRowAsync(connection, transaction, schema, """
            SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """, row =>
        {
            var table = row.GetString(0);
            kinds[table] = row.GetString(1) == "p" ? "partitioned" : "a plain table";
            columns[table] = new Dictionary<string, ColumnShape>(StringComparer.Ordinal);
            indexes[table] = new Dictionary<string, string>(StringComparer.Ordinal);
        }, cancellationToken);
        await ForEachRowAsync(connection, transaction, schema, """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = @schema AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
            """, row => columns[row.GetString(0)][row.GetString(1)] = new ColumnShape(row.GetString(2), row.GetBoolean(3), row.IsDBNull(4) ? null : row.GetString(4)),
            cancellationToken);
        await ForEachRowAsync(connection, transaction, schema, """
            SELECT t.relname, i.relname, x.indisunique, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = @schema AND t.relkind IN ('r', 'p') AND NOT t.relispartition
            """, row => indexes[row.GetString(0)][row.GetString(1)] = IndexDefinition(row.GetBoolean(2), row.GetString(3)), cancellationToken);
        var functions = new HashSet<string>(StringComparer.Ordinal);
        await ForEachRowAsync(connection, transaction, schema, """
            SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = @schema
            """, row => functions.Add(row.GetString(0)), cancellationToken);
        return new SchemaShape(
            kinds.ToDictionary(k => k.Key, k => new TableShape(k.Value, columns[k.Key], indexes[k.Key]), StringComparer.Ordinal),
            functions);
    }

    /// <summary>The index's method, keys, INCLUDE and predicate, without its name and the schema-qualified table it is on.</summary>
    private static string IndexDefinition(bool unique, string definition)
    {
        var method = definition.IndexOf(" USING ", StringComparison.Ordinal);
        return (unique ? "UNIQUE " : "") + (method < 0 ? definition : definition[(method + 7)..]);
    }

    private static async Task ForEachRowAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, string sql, Action<NpgsqlDataReader> onRow, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("schema", schema);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            onRow(reader);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
