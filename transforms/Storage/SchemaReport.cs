namespace AiGateway.Transforms.Storage;

/// <summary>What a schema check found without changing anything: migrations start-up would still apply, and differences that would stop it.</summary>
public sealed record SchemaReport(IReadOnlyList<string> Pending, IReadOnlyList<string> Differences);
