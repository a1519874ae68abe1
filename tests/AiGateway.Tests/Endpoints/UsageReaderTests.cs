using System.Buffers;
using System.Text;
using AiGateway.Transforms.Endpoints;
using Xunit;

namespace AiGateway.Tests.Endpoints;

public sealed class UsageReaderTests
{
    private const string ChatBody = """
        {
          "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
          "object": "chat.completion",
          "created": 1741570283,
          "model": "gpt-4o-2024-08-06",
          "choices": [
            {
              "index": 0,
              "message": { "role": "assistant", "content": "The \"usage\": {\"prompt_tokens\": 1} you see is quoted.", "refusal": null, "annotations": [] },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "prompt_tokens": 1117,
            "completion_tokens": 46,
            "total_tokens": 1163,
            "prompt_tokens_details": { "cached_tokens": 1024, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
          },
          "service_tier": "default",
          "system_fingerprint": "fp_fc9f1d7035"
        }
        """;

    private const string ResponsesBody = """
        {"id":"resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41","object":"response","created_at":1741476777,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o-2024-08-06","output":[{"type":"message","id":"msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41","status":"completed","role":"assistant","content":[{"type":"output_text","text":"The image depicts a scenic landscape.","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":328,"input_tokens_details":{"cached_tokens":128},"output_tokens":52,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":380},"user":null,"metadata":{}}
        """;

    private const string EmbeddingsBody = """
        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
        """;

    private const string CompletionsBody = """
        {"id":"cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7","object":"text_completion","created":1589478378,"model":"gpt-3.5-turbo-instruct","system_fingerprint":"fp_44709d6fcb","choices":[{"text":"\n\nThis is indeed a test","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}
        """;

    [Theory]
    [InlineData(ChatBody, 1117, 1024, 46)]
    [InlineData(ResponsesBody, 328, 128, 52)]
    [InlineData(EmbeddingsBody, 8, 0, 0)]
    [InlineData(CompletionsBody, 5, 0, 7)]
    public void TryReadBody_EndpointResponse_ReadsUsage(string body, long prompt, long cached, long completion)
    {
        Assert.True(UsageReader.TryReadBody(Encoding.UTF8.GetBytes(body), out var usage));

        Assert.Equal(new TokenUsage(prompt, cached, completion), usage);
    }

    [Theory]
    [InlineData("""{"id":"x","choices":[]}""")]
    [InlineData("""{"id":"x","usage":null}""")]
    [InlineData("""{"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}}""")]
    [InlineData("""not json "usage" at all""")]
    [InlineData("""{"usage":{"prompt_tokens":5""")]
    public void TryReadBody_NoUsage_False(string body)
    {
        Assert.False(UsageReader.TryReadBody(Encoding.UTF8.GetBytes(body), out _));
    }

    [Fact]
    public void TryReadStreamEvent_ChatChunks_OnlyTheUsageChunkCounts()
    {
        string[] events =
        [
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_1\",\"choices\":[],\"usage\":{\"prompt_tokens\":2048,\"completion_tokens\":9,\"total_tokens\":2057,\"prompt_tokens_details\":{\"cached_tokens\":1920,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n",
            "data: [DONE]\n\n",
        ];

        var found = events.Select(e => UsageReader.TryReadStreamEvent(Encoding.UTF8.GetBytes(e), out var u) ? u : (TokenUsage?)null).ToList();

        Assert.Equal(new TokenUsage?[] { null, null, null, new TokenUsage(2048, 1920, 9), null }, found);
    }

    [Fact]
    public void TryReadStreamEvent_CompletionsUsageChunk_ReadsUsage()
    {
        var sseEvent = "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"choices\":[],\"model\":\"gpt-3.5-turbo-instruct\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":16,\"total_tokens\":21}}\n\n"u8;

        Assert.True(UsageReader.TryReadStreamEvent(sseEvent, out var usage));
        Assert.Equal(new TokenUsage(5, 0, 16), usage);
    }

    [Fact]
    public void TryReadStreamEvent_ResponsesEvents_OnlyCompletedCarriesUsage()
    {
        string[] events =
        [
            "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1741290958,\"status\":\"in_progress\",\"model\":\"gpt-4.1-2025-04-14\",\"output\":[],\"usage\":null,\"metadata\":{}}}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1741290958,\"status\":\"completed\",\"error\":null,\"model\":\"gpt-4.1-2025-04-14\",\"output\":[{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi there!\",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":37,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":11,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":48},\"user\":null,\"metadata\":{}}}\n\n",
        ];

        var found = events.Select(e => UsageReader.TryReadStreamEvent(Encoding.UTF8.GetBytes(e), out var u) ? u : (TokenUsage?)null).ToList();

        Assert.Equal(new TokenUsage?[] { null, null, new TokenUsage(37, 0, 11) }, found);
    }

    [Fact]
    public void TryReadStreamEvent_IncompleteResponse_StillBilled()
    {
        var sseEvent = "event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"usage\":{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":64,\"total_tokens\":76}}}\n\n"u8;

        Assert.True(UsageReader.TryReadStreamEvent(sseEvent, out var usage));
        Assert.Equal(new TokenUsage(12, 0, 64), usage);
    }

    [Fact]
    public void TryReadStreamEvent_CrLfAndIdLine_ReadsUsage()
    {
        var sseEvent = "id: r1:7\r\ndata: {\"choices\":[],\"usage\": {\"prompt_tokens\":3,\"completion_tokens\":4}}\r\n\r\n"u8;

        Assert.True(UsageReader.TryReadStreamEvent(sseEvent, out var usage));
        Assert.Equal(new TokenUsage(3, 0, 4), usage);
    }

    [Fact]
    public void TryReadStreamEvent_DataSplitOverLines_JoinsThem()
    {
        var sseEvent = "data: {\"choices\":[],\ndata: \"usage\":{\"prompt_tokens\":3,\ndata: \"completion_tokens\":4}}\n\n"u8;

        Assert.True(UsageReader.TryReadStreamEvent(sseEvent, out var usage));
        Assert.Equal(new TokenUsage(3, 0, 4), usage);
    }

    [Fact]
    public void TryReadStreamEvent_Segmented_ReadsUsage()
    {
        var first = new Segment("data: {\"choices\":[],\"usa"u8.ToArray());
        var last = first.Append("ge\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n"u8.ToArray());

        Assert.True(UsageReader.TryReadStreamEvent(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var usage));
        Assert.Equal(new TokenUsage(1, 0, 2), usage);
    }

    [Fact]
    public void TryReadStreamEvent_UsageTextInsideContent_NotTakenForUsage()
    {
        var sseEvent = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\\"usage\\\":{\\\"prompt_tokens\\\":9}\"}}],\"usage\":null}\n\n"u8;

        Assert.False(UsageReader.TryReadStreamEvent(sseEvent, out _));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
