using System.ClientModel;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using Xunit;

namespace AiGateway.Tests.Pipeline;

/// <summary>The official OpenAI .NET SDK, repointed at the gateway and changed in nothing else.</summary>
public sealed class OpenAiSdkTests : IAsyncLifetime
{
    private MockOpenAiServer _upstream = null!;
    private TestGateway _gateway = null!;
    private OpenAIClientOptions _options = null!;

    public async Task InitializeAsync()
    {
        _upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        _gateway = await TestGateway.StartAsync(_upstream.BaseAddress);
        _options = new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseAddress, "v1") };
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task ChatClient_CompleteChat_ReturnsUpstreamAnswer()
    {
        var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test"), _options);

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Say hello")]);

        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.Equal("Bearer sk-test", Assert.Single(_upstream.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task ChatClient_StreamChat_ReceivesAllUpdatesAndNoUnaskedUsage()
    {
        var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test"), _options);
        var text = "";
        var updates = 0;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Say hello")]))
        {
            updates++;
            text += string.Concat(update.ContentUpdate.Select(part => part.Text));
        }

        Assert.True(updates >= 3);
        Assert.False(string.IsNullOrEmpty(text));
    }

    [Fact]
    public async Task EmbeddingClient_GenerateEmbeddings_ReturnsVectors()
    {
        var client = new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential("sk-test"), _options);

        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(["first", "second"]);

        Assert.Equal(2, embeddings.Count);
        Assert.True(embeddings[1].ToFloats().Length > 0);
    }
}
