using System.Net;
using System.Text;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Relay;

/// <summary>An upstream error answer reaches the client whole, whether the call asked for a stream or not.</summary>
public sealed class ErrorAnswerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UpstreamJsonError_ToAStreamedOrPlainCall_RelayedWhole(bool stream)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"error {{Guid.NewGuid()}}"}]}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-status", "400");

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync());
    }
}
