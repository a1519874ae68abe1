using System.Reflection;

namespace AiGateway.Transforms.Storage;

/// <summary>The versioned SQL scripts embedded in this assembly, in name order.</summary>
internal static class MigrationScripts
{
    /// <summary>A script's name (e.g. <c>0001_api_keys.sql</c>) and text.</summary>
    public sealed record Script(string Name, string Sql);

    /// <summary>The scripts under <c>Storage/Migrations/{dialect}/</c>.</summary>
    public static IReadOnlyList<Script> Load(Assembly assembly, string dialect)
    {
        var prefix = $"{assembly.GetName().Name}.Storage.Migrations.{dialect}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Script(n[prefix.Length..], reader.ReadToEnd());
            })
            .ToList();
    }
}
