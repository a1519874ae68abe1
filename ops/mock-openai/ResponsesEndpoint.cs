using System.Buffers;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>POST /v1/responses, plain and streamed (typed events ending with response.completed, no [DONE]).</summary>
internal static class ResponsesEndpoint
{
    public const string DefaultModel = "gpt-4o-mini";

    private sealed record Reply(string Id, long CreatedAt, string Model, string? Instructions, string MessageId,
        string Text, Usage Usage);

    public static async Task HandleAsync(MockCall call)
    {
        using var doc = await call.ParseJsonObjectAsync();
        if (doc is null)
            return;

        var root = doc.RootElement;
        var instructions = MockText.String(root, "instructions"u8);
        var (inputChars, lastUser) = ReadInput(root);
        var text = MockText.Reply(lastUser, call.Settings.Chunks);
        var reply = new Reply(
            Id: MockHttp.NewId("resp_", 48),
            CreatedAt: MockHttp.UnixNow(),
            Model: MockText.String(root, "model"u8) ?? DefaultModel,
            Instructions: instructions,
            MessageId: MockHttp.NewId("msg_", 48),
            Text: text,
            Usage: new Usage(MockText.Tokens(inputChars + (instructions?.Length ?? 0)), MockText.Tokens(text.Length)));

        if (MockText.IsTrue(root, "stream"u8))
        {
            await StreamAsync(call, reply);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(1024 + text.Length * 2);
        using (var w = new Utf8JsonWriter(buffer, MockHttp.WriterOptions))
            WriteResponse(w, reply, completed: true);
        await MockHttp.WriteJsonAsync(call, StatusCodes.Status200OK, buffer);
    }

    // Input is a string or a list of items; message items carry content, tool results carry output.
    private static (long Chars, string? LastUser) ReadInput(JsonElement root)
    {
        if (!root.TryGetProperty("input"u8, out var input))
            return (0, null);
        if (input.ValueKind == JsonValueKind.String)
        {
            var s = input.GetString()!;
            return (s.Length, s);
        }

        if (input.ValueKind != JsonValueKind.Array)
            return (0, null);

        long chars = 0;
        string? lastUser = null;
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
                continue;
            if (item.TryGetProperty("content"u8, out var content))
            {
                var text = MockText.ContentText(content);
                chars += text.Length;
                if (MockText.String(item, "role"u8) == "user")
                    lastUser = text;
            }
            else if (MockText.String(item, "output"u8) is { } output)
            {
                chars += output.Length;
            }
        }

        return (chars, lastUser);
    }

    private static async Task StreamAsync(MockCall call, Reply reply)
    {
        var sse = await SseWriter.StartAsync(call);
        if (sse is null)
            return;

        var seq = 0;
        var w = Begin(sse, "response.created"u8, ref seq);
        w.WritePropertyName("response"u8);
        WriteResponse(w, reply, completed: false);
        if (!await End(sse, w))
            return;

        w = Begin(sse, "response.in_progress"u8, ref seq);
        w.WritePropertyName("response"u8);
        WriteResponse(w, reply, completed: false);
        if (!await End(sse, w))
            return;

        w = Begin(sse, "response.output_item.added"u8, ref seq);
        w.WriteNumber("output_index"u8, 0);
        w.WritePropertyName("item"u8);
        WriteMessage(w, reply, completed: false);
        if (!await End(sse, w))
            return;

        w = Begin(sse, "response.content_part.added"u8, ref seq);
        WritePartLocation(w, reply);
        w.WritePropertyName("part"u8);
        WriteOutputText(w, "");
        if (!await End(sse, w))
            return;

        var chunks = call.Settings.Chunks;
        for (var i = 0; i < chunks; i++)
        {
            w = Begin(sse, "response.output_text.delta"u8, ref seq);
            WritePartLocation(w, reply);
            w.WriteString("delta"u8, MockText.Piece(reply.Text, i, chunks));
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
            if (!await End(sse, w))
                return;
        }

        w = Begin(sse, "response.output_text.done"u8, ref seq);
        WritePartLocation(w, reply);
        w.WriteString("text"u8, reply.Text);
        w.WriteStartArray("logprobs"u8);
        w.WriteEndArray();
        if (!await End(sse, w))
            return;

        w = Begin(sse, "response.content_part.done"u8, ref seq);
        WritePartLocation(w, reply);
        w.WritePropertyName("part"u8);
        WriteOutputText(w, reply.Text);
        if (!await End(sse, w))
            return;

        w = Begin(sse, "response.output_item.done"u8, ref seq);
        w.WriteNumber("output_index"u8, 0);
        w.WritePropertyName("item"u8);
        WriteMessage(w, reply, completed: true);
        if (!await End(sse, w))
            return;

        w = Begin(sse, "response.completed"u8, ref seq);
        w.WritePropertyName("response"u8);
        WriteResponse(w, reply, completed: true);
        await End(sse, w);
    }

    private static Utf8JsonWriter Begin(SseWriter sse, ReadOnlySpan<byte> type, ref int seq)
    {
        var w = sse.BeginData(type);
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        w.WriteNumber("sequence_number"u8, seq++);
        return w;
    }

    private static ValueTask<bool> End(SseWriter sse, Utf8JsonWriter w)
    {
        w.WriteEndObject();
        return sse.EndDataAsync();
    }

    private static void WritePartLocation(Utf8JsonWriter w, Reply reply)
    {
        w.WriteString("item_id"u8, reply.MessageId);
        w.WriteNumber("output_index"u8, 0);
        w.WriteNumber("content_index"u8, 0);
    }

    private static void WriteResponse(Utf8JsonWriter w, Reply reply, bool completed)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, reply.Id);
        w.WriteString("object"u8, "response"u8);
        w.WriteNumber("created_at"u8, reply.CreatedAt);
        w.WriteString("status"u8, completed ? "completed"u8 : "in_progress"u8);
        w.WriteBoolean("background"u8, false);
        w.WriteNull("error"u8);
        w.WriteNull("incomplete_details"u8);
        w.WriteString("instructions"u8, reply.Instructions);
        w.WriteNull("max_output_tokens"u8);
        w.WriteString("model"u8, reply.Model);
        w.WriteStartArray("output"u8);
        if (completed)
            WriteMessage(w, reply, completed: true);
        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls"u8, true);
        w.WriteNull("previous_response_id"u8);
        w.WriteStartObject("reasoning"u8);
        w.WriteNull("effort"u8);
        w.WriteNull("summary"u8);
        w.WriteEndObject();
        w.WriteString("service_tier"u8, "default"u8);
        w.WriteBoolean("store"u8, true);
        w.WriteNumber("temperature"u8, 1.0);
        w.WriteStartObject("text"u8);
        w.WriteStartObject("format"u8);
        w.WriteString("type"u8, "text"u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("tool_choice"u8, "auto"u8);
        w.WriteStartArray("tools"u8);
        w.WriteEndArray();
        w.WriteNumber("top_p"u8, 1.0);
        w.WriteString("truncation"u8, "disabled"u8);
        if (completed)
        {
            w.WritePropertyName("usage"u8);
            reply.Usage.WriteResponses(w);
        }
        else
        {
            w.WriteNull("usage"u8);
        }

        w.WriteNull("user"u8);
        w.WriteStartObject("metadata"u8);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, Reply reply, bool completed)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "message"u8);
        w.WriteString("id"u8, reply.MessageId);
        w.WriteString("status"u8, completed ? "completed"u8 : "in_progress"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteStartArray("content"u8);
        if (completed)
            WriteOutputText(w, reply.Text);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOutputText(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "output_text"u8);
        w.WriteString("text"u8, text);
        w.WriteStartArray("annotations"u8);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
