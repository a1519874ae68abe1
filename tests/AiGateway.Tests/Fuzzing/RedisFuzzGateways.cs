using AiGateway.Tests.Infrastructure;

namespace AiGateway.Tests.Fuzzing;

/// <summary>The fuzz gateways with the test Redis behind cache, dedupe, live streams and limits (<see cref="TestServices.Redis"/>).</summary>
public sealed class RedisFuzzGateways : FuzzGateways
{
    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, string> ExtraSettings { get; } = new Dictionary<string, string>
    {
        ["ConnectionStrings:Redis"] = TestServices.Redis,
    };
}
