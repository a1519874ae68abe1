using AiGateway.Transforms.Endpoints;
using Xunit;

namespace AiGateway.Tests.Endpoints;

public sealed class AiEndpointTests
{
    [Theory]
    [InlineData("POST", "/v1/chat/completions", "/v1/chat/completions")]
    [InlineData("POST", "/v1/completions", "/v1/completions")]
    [InlineData("POST", "/v1/responses", "/v1/responses")]
    [InlineData("POST", "/v1/embeddings", "/v1/embeddings")]
    [InlineData("GET", "/v1/chat/completions", null)]
    [InlineData("POST", "/v1/files", null)]
    [InlineData("POST", "/v1/responses/resp_1/cancel", null)]
    [InlineData("POST", "/v1/chat/completions/extra", null)]
    public void Match_MethodAndPath_UnderstoodEndpointOrPassthrough(string method, string path, string? expected)
    {
        Assert.Equal(expected, AiEndpoint.Match(method, path)?.Path);
    }
}
