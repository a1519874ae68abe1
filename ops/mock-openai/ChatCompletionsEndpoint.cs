using System.Buffers;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>POST /v1/chat/completions, plain and streamed.</summary>
internal static class ChatCompletionsEndpoint
{
    public const string DefaultModel = "gpt-4o-mini";

    public static async Task HandleAsync(MockCall call)
    {
        using var doc = await call.ParseJsonObjectAsync();
        if (doc is null)
            return;

        var root = doc.RootElement;
        var model = MockText.String(root, "model"u8) ?? DefaultModel;
        var (promptChars, lastUser) = ReadMessages(root);
        var text = MockText.Reply(lastUser, call.Settings.Chunks);
        var usage = new Usage(MockText.Tokens(promptChars), MockText.Tokens(text.Length));
        var id = MockHttp.NewId("chatcmpl-", 29);
        var created = MockHttp.UnixNow();

        if (MockText.IsTrue(root, "stream"u8))
            await StreamAsync(call, id, created, model, text, usage, MockText.IncludeUsage(root));
        else
            await MockHttp.WriteJsonAsync(call, StatusCodes.Status200OK, Completion(id, created, model, text, usage));
    }

    private static (long PromptChars, string? LastUser) ReadMessages(JsonElement root)
    {
        long chars = 0;
        string? lastUser = null;
        if (!root.TryGetProperty("messages"u8, out var messages) || messages.ValueKind != JsonValueKind.Array)
            return (chars, lastUser);

        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content"u8, out var content))
                continue;
            var text = MockText.ContentText(content);
            chars += text.Length;
            if (MockText.String(message, "role"u8) == "user")
                lastUser = text;
        }

        return (chars, lastUser);
    }

    private static ArrayBufferWriter<byte> Completion(string id, long created, string model, string text, Usage usage)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + text.Length * 2);
        using var w = new Utf8JsonWriter(buffer, MockHttp.WriterOptions);
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("object"u8, "chat.completion"u8);
        w.WriteNumber("created"u8, created);
        w.WriteString("model"u8, model);
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("content"u8, text);
        w.WriteNull("refusal"u8);
        w.WriteEndObject();
        w.WriteNull("logprobs"u8);
        w.WriteString("finish_reason"u8, "stop"u8);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WritePropertyName("usage"u8);
        usage.WriteChat(w);
        w.WriteString("system_fingerprint"u8, "fp_mock"u8);
        w.WriteEndObject();
        return buffer;
    }

    private static async Task StreamAsync(MockCall call, string id, long created, string model, string text,
        Usage usage, bool includeUsage)
    {
        var sse = await SseWriter.StartAsync(call);
        if (sse is null)
            return;

        WriteChunk(sse.BeginData(), id, created, model, includeUsage, ChunkKind.Role, default);
        if (!await sse.EndDataAsync())
            return;

        var chunks = call.Settings.Chunks;
        for (var i = 0; i < chunks; i++)
        {
            WriteChunk(sse.BeginData(), id, created, model, includeUsage, ChunkKind.Content,
                MockText.Piece(text, i, chunks));
            if (!await sse.EndDataAsync())
                return;
        }

        WriteChunk(sse.BeginData(), id, created, model, includeUsage, ChunkKind.Finish, default);
        if (!await sse.EndDataAsync())
            return;

        if (includeUsage)
        {
            WriteUsageChunk(sse.BeginData(), id, created, model, usage);
            if (!await sse.EndDataAsync())
                return;
        }

        await sse.WriteDoneAsync();
    }

    private enum ChunkKind { Role, Content, Finish }

    private static void WriteChunk(Utf8JsonWriter w, string id, long created, string model, bool includeUsage,
        ChunkKind kind, ReadOnlySpan<char> content)
    {
        WriteChunkHeader(w, id, created, model);
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("delta"u8);
        if (kind == ChunkKind.Role)
        {
            w.WriteString("role"u8, "assistant"u8);
            w.WriteString("content"u8, ""u8);
            w.WriteNull("refusal"u8);
        }
        else if (kind == ChunkKind.Content)
        {
            w.WriteString("content"u8, content);
        }

        w.WriteEndObject();
        w.WriteNull("logprobs"u8);
        if (kind == ChunkKind.Finish)
            w.WriteString("finish_reason"u8, "stop"u8);
        else
            w.WriteNull("finish_reason"u8);
        w.WriteEndObject();
        w.WriteEndArray();
        if (includeUsage)
            w.WriteNull("usage"u8);
        w.WriteEndObject();
    }

    private static void WriteUsageChunk(Utf8JsonWriter w, string id, long created, string model, Usage usage)
    {
        WriteChunkHeader(w, id, created, model);
        w.WriteStartArray("choices"u8);
        w.WriteEndArray();
        w.WritePropertyName("usage"u8);
        usage.WriteChat(w);
        w.WriteEndObject();
    }

    private static void WriteChunkHeader(Utf8JsonWriter w, string id, long created, string model)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("object"u8, "chat.completion.chunk"u8);
        w.WriteNumber("created"u8, created);
        w.WriteString("model"u8, model);
        w.WriteString("system_fingerprint"u8, "fp_mock"u8);
    }
}
