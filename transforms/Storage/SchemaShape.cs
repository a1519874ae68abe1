namespace AiGateway.Transforms.Storage;

/// <summary>
/// The parts of a database schema the gateway relies on: its tables (partitions left out: the parent stands for them),
/// their columns with type, nullability and default, their indexes, and the functions it calls.
/// </summary>
internal sealed record SchemaShape(IReadOnlyDictionary<string, TableShape> Tables, IReadOnlySet<string> Functions)
{
    /// <summary>
    /// Each way <paramref name="live"/> differs from this shape, the one the migrations define, as a sentence naming
    /// the table, column or index. Additions that cannot disturb the gateway (an index or table of an operator's own,
    /// a nullable or defaulted column) are not differences.
    /// </summary>
    public IReadOnlyList<string> Differences(SchemaShape live)
    {
        var differences = new List<string>();
        foreach (var (name, expected) in Tables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!live.Tables.TryGetValue(name, out var actual))
            {
                differences.Add($"table {name} is missing.");
                continue;
            }

            if (actual.Kind != expected.Kind)
            {
                differences.Add($"table {name} is {actual.Kind} here; the migrations define it {expected.Kind}.");
            }

            foreach (var (column, want) in expected.Columns)
            {
                if (!actual.Columns.TryGetValue(column, out var have))
                {
                    differences.Add($"column {name}.{column} is missing.");
                    continue;
                }

                if (!string.Equals(have.Type, want.Type, StringComparison.OrdinalIgnoreCase))
                {
                    differences.Add($"column {name}.{column} is {have.Type} here; the migrations define {want.Type}.");
                }

                if (have.NotNull != want.NotNull)
                {
                    differences.Add($"column {name}.{column} is {Nullability(have.NotNull)} here; the migrations define it {Nullability(want.NotNull)}.");
                }

                if (!string.Equals(have.Default, want.Default, StringComparison.Ordinal))
                {
                    differences.Add($"column {name}.{column} has {Default(have.Default)} here; the migrations define {Default(want.Default)}.");
                }
            }

            foreach (var (column, extra) in actual.Columns.Where(c => !expected.Columns.ContainsKey(c.Key)))
            {
                if (extra.NotNull && extra.Default is null)
                {
                    differences.Add($"column {name}.{column} is not in the migrations and is NOT NULL without a default: the gateway's inserts would fail.");
                }
            }

            foreach (var (index, want) in expected.Indexes)
            {
                if (!actual.Indexes.TryGetValue(index, out var have))
                {
                    differences.Add($"index {index} on {name} is missing.");
                }
                else if (have != want)
                {
                    differences.Add($"index {index} on {name} is {have} here; the migrations define {want}.");
                }
            }
        }

        foreach (var function in Functions.Where(f => !live.Functions.Contains(f)).Order(StringComparer.Ordinal))
        {
            differences.Add($"function {function} is missing.");
        }

        return differences;
    }

    private static string Nullability(bool notNull) => notNull ? "NOT NULL" : "nullable";

    private static string Default(string? value) => value is null ? "no default" : $"the default {value}";
}
