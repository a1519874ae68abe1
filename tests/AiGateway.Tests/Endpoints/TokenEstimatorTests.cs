using System.Text;
using System.Text.Json;
using AiGateway.Transforms.Endpoints;
using Xunit;

namespace AiGateway.Tests.Endpoints;

public sealed class TokenEstimatorTests
{
    [Fact]
    public void CountTokens_Encodings_LoadFromTheDataPackages()
    {
        Assert.True(TokenEstimator.UsesTokenizer);
        // tiktoken: "hello world" is 2 tokens in both encodings; o200k splits this sentence into fewer tokens than chars/4 would.
        Assert.Equal(2, TokenEstimator.CountTokens("gpt-4o", "hello world"));
        Assert.Equal(2, TokenEstimator.CountTokens("gpt-3.5-turbo", "hello world"));
    }

    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", "o200k_base")]
    [InlineData("gpt-4.1-nano", "o200k_base")]
    [InlineData("gpt-5", "o200k_base")]
    [InlineData("o3-mini", "o200k_base")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:acme::x1", "o200k_base")]
    [InlineData("some-future-model", "o200k_base")]
    [InlineData(null, "o200k_base")]
    [InlineData("gpt-4-turbo", "cl100k_base")]
    [InlineData("gpt-3.5-turbo", "cl100k_base")]
    [InlineData("text-embedding-3-small", "cl100k_base")]
    public void EncodingName_Model_PicksItsFamilyEncoding(string? model, string expected)
    {
        Assert.Equal(expected, TokenEstimator.EncodingName(model));
    }

    [Fact]
    public void EstimatePromptTokens_ChatMessages_CountsTextAndFraming()
    {
        using var request = JsonDocument.Parse("""
            {"model":"gpt-4o","stream":true,"messages":[
              {"role":"system","content":"You are a helpful assistant."},
              {"role":"user","content":[{"type":"text","text":"What is the capital of France?"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}
            ]}
            """);

        var tokens = TokenEstimator.EstimatePromptTokens("gpt-4o", request.RootElement);

        // OpenAI bills this prompt (text only) as about 25 tokens: 2 messages × 3 framing + 3 priming + roles and text.
        Assert.InRange(tokens, 20, 32);
    }

    [Fact]
    public void EstimatePromptTokens_ResponsesInput_CountsInstructionsAndItems()
    {
        using var asString = JsonDocument.Parse("""{"model":"gpt-4.1","instructions":"Answer briefly.","input":"hello world"}""");
        using var asItems = JsonDocument.Parse("""
            {"model":"gpt-4.1","input":[
              {"role":"user","content":[{"type":"input_text","text":"hello world"}]},
              {"type":"function_call_output","call_id":"call_1","output":"{\"temperature\":21}"}
            ]}
            """);

        Assert.Equal(TokenEstimator.CountTokens("gpt-4.1", "Answer briefly.\nhello world\n"), TokenEstimator.EstimatePromptTokens("gpt-4.1", asString.RootElement));
        Assert.InRange(TokenEstimator.EstimatePromptTokens("gpt-4.1", asItems.RootElement), 12, 24);
    }

    [Fact]
    public void EstimatePromptTokens_CompletionsTokenIds_CountsEachId()
    {
        using var request = JsonDocument.Parse("""{"model":"gpt-3.5-turbo-instruct","prompt":[[1,2,3],[4,5]]}""");

        Assert.Equal(5, TokenEstimator.EstimatePromptTokens("gpt-3.5-turbo-instruct", request.RootElement));
    }

    [Fact]
    public void Estimate_AbortedChatStream_CountsCollectedDeltas()
    {
        using var request = JsonDocument.Parse("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"stream":true}""");
        var text = new StreamCompletionText();
        foreach (var delta in new[] { "Hello", " there", ", friend" })
        {
            text.Append(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{delta}\"}}}}],\"usage\":null}}\n\n"));
        }

        var usage = TokenEstimator.Estimate("gpt-4o-mini", request.RootElement, text);

        Assert.Equal(TokenEstimator.CountTokens("gpt-4o-mini", "Hello there, friend"), usage.CompletionTokens);
        Assert.True(usage.PromptTokens > 6);
        Assert.Equal(0, usage.CachedTokens);
    }
}
