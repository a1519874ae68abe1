using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// Folds the chunks of a chat (or text) completion stream into the one JSON answer the same request would have got
/// without <c>stream</c>: <c>chat.completion</c> with each choice's message (content, refusal, tool calls) and finish
/// reason, or <c>text_completion</c> with each choice's text; the id, model, created and system fingerprint of the first
/// chunk; the usage of the usage chunk. Unknown members of the chunks are not carried over (an SDK reads these).
/// </summary>
internal static class ChatStreamAssembler
{
    /// <summary>The answer assembled from <paramref name="events"/>, or null when they hold no chunk.</summary>
    public static byte[]? Assemble(IEnumerable<ReadOnlyMemory<byte>> events, bool textCompletion)
    {
        var choices = new SortedDictionary<int, Choice>();
        string? id = null, model = null, systemFingerprint = null, serviceTier = null;
        long? created = null;
        byte[]? usage = null;
        var chunks = 0;
        foreach (var sseEvent in events)
        {
            var data = UsageReader.EventData(sseEvent.Span, out _);
            if (data.IsEmpty || data[0] != (byte)'{')
            {
                continue;
            }

            JsonDocument document;
            try
            {
                var reader = new Utf8JsonReader(data);
                document = JsonDocument.ParseValue(ref reader);
            }
            catch (JsonException)
            {
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                chunks++;
                id ??= String(root, "id"u8);
                model ??= String(root, "model"u8);
                systemFingerprint ??= String(root, "system_fingerprint"u8);
                serviceTier ??= String(root, "service_tier"u8);
                if (created is null && root.TryGetProperty("created"u8, out var createdAt) && createdAt.TryGetInt64(out var seconds))
                {
                    created = seconds;
                }

                if (root.TryGetProperty("usage"u8, out var used) && used.ValueKind == JsonValueKind.Object)
                {
                    usage = Encoding.UTF8.GetBytes(used.GetRawText());
                }

                if (root.TryGetProperty("choices"u8, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var choice in list.EnumerateArray())
                    {
                        Fold(choices, choice);
                    }
                }
            }
        }

        return chunks == 0 ? null : Write(choices, id, model, systemFingerprint, serviceTier, created, usage, textCompletion);
    }

    private static void Fold(SortedDictionary<int, Choice> choices, JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var index = choice.TryGetProperty("index"u8, out var at) && at.TryGetInt32(out var number) ? number : 0;
        if (!choices.TryGetValue(index, out var folded))
        {
            choices[index] = folded = new Choice();
        }

        if (String(choice, "finish_reason"u8) is { } finish)
        {
            folded.FinishReason = finish;
        }

        if (String(choice, "text"u8) is { } text)
        {
            folded.Content.Append(text);
        }

        if (!choice.TryGetProperty("delta"u8, out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        folded.Role ??= String(delta, "role"u8);
        if (String(delta, "content"u8) is { } content)
        {
            folded.Content.Append(content);
            folded.HasContent = true;
        }

        if (String(delta, "refusal"u8) is { } refusal)
        {
            (folded.Refusal ??= new StringBuilder()).Append(refusal);
        }

        if (delta.TryGetProperty("tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var callIndex = call.TryGetProperty("index"u8, out var ci) && ci.TryGetInt32(out var n) ? n : folded.ToolCalls.Count;
                if (!folded.ToolCalls.TryGetValue(callIndex, out var tool))
                {
                    folded.ToolCalls[callIndex] = tool = new ToolCall();
                }

                tool.Id ??= String(call, "id"u8);
                tool.Type ??= String(call, "type"u8);
                if (call.TryGetProperty("function"u8, out var function) && function.ValueKind == JsonValueKind.Object)
                {
                    tool.Name.Append(String(function, "name"u8));
                    tool.Arguments.Append(String(function, "arguments"u8));
                }
            }
        }
    }

    private static byte[] Write(SortedDictionary<int, Choice> choices, string? id, string? model, string? systemFingerprint, string? serviceTier,
        long? created, byte[]? usage, bool textCompletion)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("id"u8, id);
            w.WriteString("object"u8, textCompletion ? "text_completion"u8 : "chat.completion"u8);
            w.WriteNumber("created"u8, created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            w.WriteString("model"u8, model);
            w.WriteStartArray("choices"u8);
            foreach (var (index, choice) in choices)
            {
                w.WriteStartObject();
                w.WriteNumber("index"u8, index);
                if (textCompletion)
                {
                    w.WriteString("text"u8, choice.Content.ToString());
                }
                else
                {
                    w.WriteStartObject("message"u8);
                    w.WriteString("role"u8, choice.Role ?? "assistant");
                    if (choice.HasContent || choice.ToolCalls.Count == 0)
                    {
                        w.WriteString("content"u8, choice.Content.ToString());
                    }
                    else
                    {
                        w.WriteNull("content"u8);
                    }

                    w.WriteString("refusal"u8, choice.Refusal?.ToString());
                    if (choice.ToolCalls.Count > 0)
                    {
                        w.WriteStartArray("tool_calls"u8);
                        foreach (var tool in choice.ToolCalls.Values)
                        {
                            w.WriteStartObject();
                            w.WriteString("id"u8, tool.Id);
                            w.WriteString("type"u8, tool.Type ?? "function");
                            w.WriteStartObject("function"u8);
                            w.WriteString("name"u8, tool.Name.ToString());
                            w.WriteString("arguments"u8, tool.Arguments.ToString());
                            w.WriteEndObject();
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteNull("logprobs"u8);
                w.WriteString("finish_reason"u8, choice.FinishReason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (usage is not null)
            {
                w.WritePropertyName("usage"u8);
                w.WriteRawValue(usage, skipInputValidation: true);
            }

            if (systemFingerprint is not null)
            {
                w.WriteString("system_fingerprint"u8, systemFingerprint);
            }

            if (serviceTier is not null)
            {
                w.WriteString("service_tier"u8, serviceTier);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string? String(JsonElement owner, ReadOnlySpan<byte> name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed class Choice
    {
        public string? Role { get; set; }

        public StringBuilder Content { get; } = new();

        public bool HasContent { get; set; }

        public StringBuilder? Refusal { get; set; }

        public string? FinishReason { get; set; }

        public SortedDictionary<int, ToolCall> ToolCalls { get; } = [];
    }

    private sealed class ToolCall
    {
        public string? Id { get; set; }

        public string? Type { get; set; }

        public StringBuilder Name { get; } = new();

        public StringBuilder Arguments { get; } = new();
    }
}
