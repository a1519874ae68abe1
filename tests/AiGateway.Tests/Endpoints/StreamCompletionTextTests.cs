using System.Text;
using AiGateway.Transforms.Endpoints;
using Xunit;

namespace AiGateway.Tests.Endpoints;

public sealed class StreamCompletionTextTests
{
    [Fact]
    public void Append_ChatChunks_CollectsContentAndToolArguments()
    {
        var text = Collect(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"It is \"}}]}\n\n",
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n",
            "data: [DONE]\n\n");

        Assert.Equal("It is get_weather{\"city\":\"Paris\"}", text.Text);
    }

    [Fact]
    public void Append_CompletionsChunks_CollectsText()
    {
        var text = Collect(
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"\\n\\nThis\",\"index\":0}]}\n\n",
            "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\" is a test\",\"index\":0}]}\n\n");

        Assert.Equal("\n\nThis is a test", text.Text);
    }

    [Fact]
    public void Append_ResponsesEvents_CollectsDeltasOnly()
    {
        var text = Collect(
            "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"output\":[]}}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"Hi\"}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\" there\"}\n\n",
            "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"item_id\":\"msg_1\",\"text\":\"Hi there\"}\n\n");

        Assert.Equal("Hi there", text.Text);
    }

    [Fact]
    public void Append_BeyondMaxChars_KeepsCountingLength()
    {
        var text = new StreamCompletionText();
        var chunk = new string('a', 1024 * 1024);
        for (var i = 0; i < 5; i++)
        {
            text.Append(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"delta\":{{\"content\":\"{chunk}\"}}}}]}}\n\n"));
        }

        Assert.Equal(StreamCompletionText.MaxChars, text.Text.Length);
        Assert.Equal(5L * 1024 * 1024, text.TotalChars);
    }

    private static StreamCompletionText Collect(params string[] events)
    {
        var text = new StreamCompletionText();
        foreach (var sseEvent in events)
        {
            text.Append(Encoding.UTF8.GetBytes(sseEvent));
        }

        return text;
    }
}
