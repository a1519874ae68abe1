using AiGateway.Transforms.Exchange;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Xunit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using static ArchUnitNET.Fluent.Slices.SliceRuleDefinition;

namespace AiGateway.Tests.Pipeline;

/// <summary>
/// The layout rules of <c>transforms/</c> (README "Layout"): no import cycle between its folders, no import from it into
/// the host (<c>gateway/</c>), and each folder imports only the folders listed before it in <see cref="FolderOrder"/>.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>The folders of <c>transforms/</c>: each may import only those before it (the shared leaves first, then the steps).</summary>
    public static readonly string[] FolderOrder =
    [
        "Errors", "Configuration", "Endpoints", "Storage", "Audit", "Redis", "Prices", "Identity", "Exchange", "Orgs",
        "Relay", "Walls", "Upstream", "Caching", "Dedupe", "Inflight", "Metering", "Quota", "Modes", "CostLog", "Payloads", "Telemetry", "Pipeline",
    ];

    private const string Transforms = "AiGateway.Transforms";

    private static readonly Architecture Architecture = new ArchLoader()
        .LoadAssemblies(typeof(AiExchange).Assembly, typeof(GatewayApp).Assembly)
        .Build();

    [Fact]
    public void TransformsFolders_ImportEachOther_WithoutCycles() =>
        Slices().Matching(Transforms + ".(*)").Should().BeFreeOfCycles().Check(Architecture);

    [Fact]
    public void Transforms_ImportNothingFromTheHost() =>
        Types().That().ResideInAssembly(typeof(AiExchange).Assembly)
            .Should().NotDependOnAny(Types().That().ResideInAssembly(typeof(GatewayApp).Assembly))
            .Check(Architecture);

    [Fact]
    public void TransformsFolders_ImportOnlyFoldersListedBeforeThem()
    {
        var folders = Architecture.Types.Select(t => Folder(t.Namespace?.FullName)).OfType<string>().Distinct().ToList();
        Assert.Empty(folders.Except(FolderOrder));

        var wrong = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Architecture.Types)
        {
            if (Folder(type.Namespace?.FullName) is not { } from)
            {
                continue;
            }

            foreach (var dependency in type.Dependencies)
            {
                if (Folder(dependency.Target?.Namespace?.FullName) is { } to && to != from
                    && Array.IndexOf(FolderOrder, to) > Array.IndexOf(FolderOrder, from))
                {
                    wrong.Add($"{from} imports {to} ({type.Name} -> {dependency.Target!.Name})");
                }
            }
        }

        Assert.Empty(wrong);
    }

    // "AiGateway.Transforms.Caching" (and its sub-namespaces) is the folder "Caching".
    private static string? Folder(string? ns) =>
        ns is not null && ns.StartsWith(Transforms + ".", StringComparison.Ordinal) ? ns[(Transforms.Length + 1)..].Split('.')[0] : null;
}
