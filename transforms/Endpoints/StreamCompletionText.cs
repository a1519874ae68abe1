using System.Text;
using System.Text.Json;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// The generated text of a stream, collected from its events so that a stream that ends without usage can be
/// estimated: chat <c>choices[].delta</c> content, refusals and tool-call arguments, completions <c>choices[].text</c>,
/// and the <c>delta</c> of Responses-API <c>*.delta</c> events. Beyond <see cref="MaxChars"/> only the length is kept.
/// </summary>
internal sealed class StreamCompletionText
{
    /// <summary>Characters kept; longer output is estimated from the kept part's tokens per character.</summary>
    public const int MaxChars = 4 * 1024 * 1024;

    private readonly StringBuilder _text = new();

    /// <summary>Every generated character seen, kept or not.</summary>
    public long TotalChars { get; private set; }

    /// <summary>The kept text.</summary>
    public string Text => _text.ToString();

    /// <summary>Adds the generated text of one complete SSE event; events without any are ignored.</summary>
    public void Append(ReadOnlySpan<byte> sseEvent)
    {
        var data = UsageReader.EventData(sseEvent, out _);
        if (data.IsEmpty || data[0] != (byte)'{')
        {
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(data);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.TryGetProperty("choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    AppendChoice(choice);
                }
            }
            else if (root.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() is { } name && name.EndsWith(".delta", StringComparison.Ordinal)
                && root.TryGetProperty("delta"u8, out var delta) && delta.ValueKind == JsonValueKind.String)
            {
                Add(delta.GetString());
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing generated to count.
        }
    }

    private void AppendChoice(JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (choice.TryGetProperty("text"u8, out var text) && text.ValueKind == JsonValueKind.String)
        {
            Add(text.GetString());
        }

        if (!choice.TryGetProperty("delta"u8, out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        AddString(delta, "content"u8);
        AddString(delta, "refusal"u8);
        if (delta.TryGetProperty("function_call"u8, out var functionCall) && functionCall.ValueKind == JsonValueKind.Object)
        {
            AddString(functionCall, "name"u8);
            AddString(functionCall, "arguments"u8);
        }

        if (delta.TryGetProperty("tool_calls"u8, out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in toolCalls.EnumerateArray())
            {
                if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function"u8, out var function) && function.ValueKind == JsonValueKind.Object)
                {
                    AddString(function, "name"u8);
                    AddString(function, "arguments"u8);
                }
            }
        }
    }

    private void AddString(JsonElement owner, ReadOnlySpan<byte> name)
    {
        if (owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            Add(value.GetString());
        }
    }

    private void Add(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        TotalChars += text.Length;
        var room = MaxChars - _text.Length;
        if (room > 0)
        {
            _text.Append(text, 0, Math.Min(room, text.Length));
        }
    }
}
