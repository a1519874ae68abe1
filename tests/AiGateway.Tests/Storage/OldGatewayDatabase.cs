using DbUp;
using DbUp.Engine;

namespace AiGateway.Tests.Storage;

/// <summary>A Postgres database migrated by an earlier build of the gateway, from that build's scripts kept under <c>Storage/Migrations/{commit}/</c>.</summary>
public static class OldGatewayDatabase
{
    /// <summary>Migrates <paramref name="connectionString"/>'s database as the gateway built at <paramref name="commit"/> did: DbUp, the same journal table, a transaction per script.</summary>
    public static void Migrate(string connectionString, string commit)
    {
        var result = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(Scripts(commit))
            .WithTransactionPerScript()
            .JournalToPostgresqlTable("public", "schema_versions")
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"The scripts of {commit} failed at {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        }
    }

    /// <summary>The names of that build's scripts, in the order it ran them.</summary>
    public static IReadOnlyList<string> ScriptNames(string commit) => Scripts(commit).Select(s => s.Name).ToList();

    private static List<SqlScript> Scripts(string commit)
    {
        var assembly = typeof(OldGatewayDatabase).Assembly;
        var prefix = $"{assembly.GetName().Name}.Storage.Migrations.{commit}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                // The names the old build journaled: the file name alone, as MigrationScripts gives it.
                return new SqlScript(n[prefix.Length..], reader.ReadToEnd());
            })
            .ToList();
    }
}
