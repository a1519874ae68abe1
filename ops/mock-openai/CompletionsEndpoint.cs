using System.Buffers;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>POST /v1/completions (legacy text completions), plain and streamed.</summary>
internal static class CompletionsEndpoint
{
    public const string DefaultModel = "gpt-3.5-turbo-instruct";

    public static async Task HandleAsync(MockCall call)
    {
        using var doc = await call.ParseJsonObjectAsync();
        if (doc is null)
            return;

        var root = doc.RootElement;
        var model = MockText.String(root, "model"u8) ?? DefaultModel;
        var (promptChars, lastPrompt) = ReadPrompt(root);
        var text = MockText.Reply(lastPrompt, call.Settings.Chunks);
        var usage = new Usage(MockText.Tokens(promptChars), MockText.Tokens(text.Length));
        var id = MockHttp.NewId("cmpl-", 29);
        var created = MockHttp.UnixNow();

        if (MockText.IsTrue(root, "stream"u8))
            await StreamAsync(call, id, created, model, text, usage, MockText.IncludeUsage(root));
        else
            await MockHttp.WriteJsonAsync(call, StatusCodes.Status200OK, Completion(id, created, model, text, usage));
    }

    // A prompt is a string, an array of strings, or token ids (a token counts as four characters).
    private static (long Chars, string? Last) ReadPrompt(JsonElement root)
    {
        if (!root.TryGetProperty("prompt"u8, out var prompt))
            return (0, null);
        if (prompt.ValueKind == JsonValueKind.String)
        {
            var s = prompt.GetString()!;
            return (s.Length, s);
        }

        if (prompt.ValueKind != JsonValueKind.Array)
            return (0, null);

        long chars = 0;
        string? last = null;
        foreach (var item in prompt.EnumerateArray())
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    last = item.GetString()!;
                    chars += last.Length;
                    break;
                case JsonValueKind.Number:
                    chars += 4;
                    break;
                case JsonValueKind.Array:
                    chars += 4L * item.GetArrayLength();
                    break;
            }
        }

        return (chars, last);
    }

    private static ArrayBufferWriter<byte> Completion(string id, long created, string model, string text, Usage usage)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + text.Length * 2);
        using var w = new Utf8JsonWriter(buffer, MockHttp.WriterOptions);
        WriteHeader(w, id, created, model);
        w.WriteStartArray("choices"u8);
        WriteChoice(w, text, "stop");
        w.WriteEndArray();
        w.WritePropertyName("usage"u8);
        usage.WriteChat(w, withDetails: false);
        w.WriteEndObject();
        return buffer;
    }

    private static async Task StreamAsync(MockCall call, string id, long created, string model, string text,
        Usage usage, bool includeUsage)
    {
        var sse = await SseWriter.StartAsync(call);
        if (sse is null)
            return;

        var chunks = call.Settings.Chunks;
        for (var i = 0; i <= chunks; i++)
        {
            var w = sse.BeginData();
            WriteHeader(w, id, created, model);
            w.WriteStartArray("choices"u8);
            if (i < chunks)
                WriteChoice(w, MockText.Piece(text, i, chunks), null);
            else
                WriteChoice(w, default, "stop");
            w.WriteEndArray();
            if (includeUsage)
                w.WriteNull("usage"u8);
            w.WriteEndObject();
            if (!await sse.EndDataAsync())
                return;
        }

        if (includeUsage)
        {
            var w = sse.BeginData();
            WriteHeader(w, id, created, model);
            w.WriteStartArray("choices"u8);
            w.WriteEndArray();
            w.WritePropertyName("usage"u8);
            usage.WriteChat(w, withDetails: false);
            w.WriteEndObject();
            if (!await sse.EndDataAsync())
                return;
        }

        await sse.WriteDoneAsync();
    }

    private static void WriteHeader(Utf8JsonWriter w, string id, long created, string model)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("object"u8, "text_completion"u8);
        w.WriteNumber("created"u8, created);
        w.WriteString("model"u8, model);
        w.WriteString("system_fingerprint"u8, "fp_mock"u8);
    }

    private static void WriteChoice(Utf8JsonWriter w, ReadOnlySpan<char> text, string? finishReason)
    {
        w.WriteStartObject();
        w.WriteString("text"u8, text);
        w.WriteNumber("index"u8, 0);
        w.WriteNull("logprobs"u8);
        w.WriteString("finish_reason"u8, finishReason);
        w.WriteEndObject();
    }
}
