using Dapper;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Storage;

/// <summary>
/// Compares a live embedded store with the schema its migration scripts define: the scripts run into an in-memory
/// database, and both are read through <c>pragma table_info</c> and <c>pragma index_list</c>/<c>index_info</c>.
/// </summary>
internal static class SqliteSchemaCheck
{
    /// <summary>The differences between <paramref name="connection"/>'s database and what <paramref name="scripts"/> define.</summary>
    public static async Task<IReadOnlyList<string>> DifferencesAsync(SqliteConnection connection, IEnumerable<MigrationScripts.Script> scripts, CancellationToken cancellationToken)
    {
        await using var expected = new SqliteConnection("Data Source=:memory:");
        await expected.OpenAsync(cancellationToken);
        foreach (var script in scripts)
        {
            await expected.ExecuteAsync(new CommandDefinition(script.Sql, cancellationToken: cancellationToken));
        }

        return (await ReadAsync(expected, cancellationToken)).Differences(await ReadAsync(connection, cancellationToken));
    }

    private static async Task<SchemaShape> ReadAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = new Dictionary<string, TableShape>(StringComparer.Ordinal);
        var names = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", cancellationToken: cancellationToken));
        foreach (var table in names)
        {
            var columns = (await connection.QueryAsync<(string Name, string Type, long NotNull, string? Default)>(new CommandDefinition(
                    "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(@table)", new { table }, cancellationToken: cancellationToken)))
                .ToDictionary(c => c.Name, c => new ColumnShape(c.Type.ToUpperInvariant(), c.NotNull != 0, c.Default), StringComparer.Ordinal);
            var indexes = new Dictionary<string, string>(StringComparer.Ordinal);
            var list = await connection.QueryAsync<(string Name, long Unique, long Partial)>(new CommandDefinition(
                "SELECT name, \"unique\", partial FROM pragma_index_list(@table)", new { table }, cancellationToken: cancellationToken));
            foreach (var (index, unique, partial) in list)
            {
                var keys = await connection.QueryAsync<string?>(new CommandDefinition(
                    "SELECT name FROM pragma_index_info(@index) ORDER BY seqno", new { index }, cancellationToken: cancellationToken));
                indexes[index] = (unique != 0 ? "UNIQUE " : "") + $"({string.Join(", ", keys.Select(k => k ?? "<expression>"))})" + (partial != 0 ? " partial" : "");
            }

            tables[table] = new TableShape("a table", columns, indexes);
        }

        return new SchemaShape(tables, new HashSet<string>());
    }
}
