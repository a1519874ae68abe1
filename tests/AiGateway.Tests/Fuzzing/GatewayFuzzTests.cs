using Xunit;
using Xunit.Abstractions;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// The fuzzing pass (issue 22): generated bad input at every endpoint the gateway understands, the other <c>/v1/</c>
/// paths, the admin API and the operator routes. For every request: no 5xx of the gateway's making (the upstream only
/// ever answers 200), nothing malformed reaches the upstream, the admin API never calls it, and an understood
/// endpoint's refusals are OpenAI-shaped; after each run the gateway is healthy and a valid call still works.
/// Deterministic by default; <c>AIGW_FUZZ_SEED</c> and <c>AIGW_FUZZ_ITERATIONS</c> change the run (see <see cref="FuzzSettings"/>).
/// </summary>
public sealed class GatewayFuzzTests(FuzzGateways gateways, ITestOutputHelper output) : IClassFixture<FuzzGateways>
{
    private readonly FuzzSession _session = new(gateways, output);

    [Theory]
    [InlineData("passthrough", "/v1/chat/completions")]
    [InlineData("virtualkeys", "/v1/chat/completions")]
    [InlineData("passthrough", "/v1/completions")]
    [InlineData("virtualkeys", "/v1/completions")]
    [InlineData("passthrough", "/v1/embeddings")]
    [InlineData("virtualkeys", "/v1/embeddings")]
    [InlineData("passthrough", "/v1/responses")]
    [InlineData("virtualkeys", "/v1/responses")]
    public Task UnderstoodEndpoint_GeneratedBadInput_NoGateway5xxNothingMalformedUpstream(string mode, string path) =>
        _session.RunAsync(gateways[mode], $"{mode} {path}", FuzzInputs.Ai(path), 500);

    [Theory]
    [InlineData("passthrough")]
    [InlineData("virtualkeys")]
    public Task PassthroughPaths_GeneratedBadInput_NoGateway5xxNothingMalformedUpstream(string mode) =>
        _session.RunAsync(gateways[mode], $"{mode} passthrough", FuzzInputs.Passthrough, 600);

    [Theory]
    [InlineData("admin")]
    [InlineData("passthrough")]
    public Task AdminApi_GeneratedBadInput_NoGateway5xxAndNothingUpstream(string mode) =>
        _session.RunAsync(gateways[mode], $"{mode} admin api", FuzzInputs.Admin, 600);

    [Theory]
    [InlineData("passthrough")]
    [InlineData("admin")]
    public Task OperatorRoutes_GeneratedBadInput_NoGateway5xxAndNothingUpstream(string mode) =>
        _session.RunAsync(gateways[mode], $"{mode} operator routes", FuzzInputs.Operator, 200);
}
