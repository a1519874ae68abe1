using Xunit;
using Xunit.Abstractions;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// A shorter fuzzing pass over the understood endpoints with Redis behind the cache, dedupe, live streams and limits, whose
/// keys and entries are built from what the client sends (bodies, routes, customers, event ids).
/// </summary>
public sealed class RedisGatewayFuzzTests(RedisFuzzGateways gateways, ITestOutputHelper output) : IClassFixture<RedisFuzzGateways>
{
    private readonly FuzzSession _session = new(gateways, output);

    [Theory]
    [InlineData("passthrough", "/v1/chat/completions")]
    [InlineData("virtualkeys", "/v1/chat/completions")]
    [InlineData("passthrough", "/v1/completions")]
    [InlineData("passthrough", "/v1/embeddings")]
    [InlineData("passthrough", "/v1/responses")]
    public Task UnderstoodEndpoint_WithRedis_NoGateway5xxNothingMalformedUpstream(string mode, string path) =>
        _session.RunAsync(gateways[mode], $"redis {mode} {path}", FuzzInputs.Ai(path), 150);
}
