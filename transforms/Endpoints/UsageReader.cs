using System.Buffers;
using System.Text.Json;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// Reads the upstream's token counts from a response (CONTRACT §2): the <c>usage</c> object of a non-streamed body, the
/// chat/completions usage chunk of a stream, and <c>response.usage</c> of a Responses-API event such as <c>response.completed</c>.
/// Both the chat names (<c>prompt_tokens</c>, <c>completion_tokens</c>, <c>prompt_tokens_details.cached_tokens</c>) and the
/// Responses names (<c>input_tokens</c>, <c>output_tokens</c>, <c>input_tokens_details.cached_tokens</c>) are understood.
/// </summary>
internal static class UsageReader
{
    /// <summary>Reads the top-level <c>usage</c> of a non-streamed JSON response body; false when there is none.</summary>
    public static bool TryReadBody(ReadOnlySpan<byte> body, out TokenUsage usage)
    {
        usage = default;
        return body.IndexOf("\"usage\""u8) >= 0 && TryReadDocument(body, out usage);
    }

    /// <summary>
    /// Reads the usage carried by one complete SSE event; false for the (many) events without one, decided from the
    /// bytes before any JSON is parsed. When several events carry usage, the last one is the total.
    /// </summary>
    public static bool TryReadStreamEvent(ReadOnlySpan<byte> sseEvent, out TokenUsage usage)
    {
        usage = default;
        if (!ContainsUsageObject(sseEvent))
        {
            return false;
        }

        var data = EventData(sseEvent, out _);
        return TryReadDocument(data, out usage);
    }

    /// <summary>Reads the usage carried by one complete SSE event held in segments.</summary>
    public static bool TryReadStreamEvent(in ReadOnlySequence<byte> sseEvent, out TokenUsage usage)
        => TryReadStreamEvent(sseEvent.IsSingleSegment ? sseEvent.FirstSpan : sseEvent.ToArray(), out usage);

    /// <summary>
    /// The data of an SSE event: its <c>data:</c> lines' values (one optional space after the colon removed), joined by
    /// line feeds when there are several (<paramref name="joined"/> then holds them).
    /// </summary>
    internal static ReadOnlySpan<byte> EventData(ReadOnlySpan<byte> sseEvent, out byte[]? joined)
    {
        joined = null;
        ArrayBufferWriter<byte>? buffer = null;
        ReadOnlySpan<byte> first = default;
        var found = false;
        var rest = sseEvent;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            var next = end < 0 ? rest.Length : end + (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1);
            rest = rest[next..];
            if (!line.StartsWith("data"u8) || (line.Length > 4 && line[4] != ':'))
            {
                continue;
            }

            var value = line.Length > 5 ? line[5..] : default;
            if (!value.IsEmpty && value[0] == ' ')
            {
                value = value[1..];
            }

            if (!found)
            {
                first = value;
                found = true;
                continue;
            }

            if (buffer is null)
            {
                buffer = new ArrayBufferWriter<byte>(sseEvent.Length);
                buffer.Write(first);
            }

            buffer.Write("\n"u8);
            buffer.Write(value);
        }

        if (buffer is null)
        {
            return first;
        }

        joined = buffer.WrittenSpan.ToArray();
        return joined;
    }

    // True when some "usage" member holds an object (not the "usage":null that most chunks carry).
    internal static bool ContainsUsageObject(ReadOnlySpan<byte> bytes)
    {
        var rest = bytes;
        while (true)
        {
            var at = rest.IndexOf("\"usage\""u8);
            if (at < 0)
            {
                return false;
            }

            rest = rest[(at + 7)..];
            var afterName = rest.TrimStart(" \t\r\n"u8);
            if (afterName.Length > 0 && afterName[0] == ':' && afterName[1..].TrimStart(" \t\r\n"u8) is [(byte)'{', ..])
            {
                return true;
            }
        }
    }

    private static bool TryReadDocument(ReadOnlySpan<byte> json, out TokenUsage usage)
    {
        usage = default;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                var isResponse = !isUsage && reader.ValueTextEquals("response"u8);
                reader.Read();
                if (isUsage && TryReadUsage(ref reader, out usage))
                {
                    return true;
                }

                if (isResponse && reader.TokenType == JsonTokenType.StartObject && TryReadNestedUsage(ref reader, out usage))
                {
                    return true;
                }

                reader.Skip();
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // Inside a Responses-API "response" object: its "usage" member. Leaves the reader on the object's end when not found.
    private static bool TryReadNestedUsage(ref Utf8JsonReader reader, out TokenUsage usage)
    {
        usage = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUsage = reader.ValueTextEquals("usage"u8);
            reader.Read();
            if (isUsage && TryReadUsage(ref reader, out usage))
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    // On a "usage" value: reads it when it is an object with token counts, leaving the reader on its end.
    private static bool TryReadUsage(ref Utf8JsonReader reader, out TokenUsage usage)
    {
        usage = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        long prompt = 0, cached = 0, completion = 0;
        var any = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
            {
                reader.Read();
                prompt = ReadCount(ref reader);
                any = true;
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
            {
                reader.Read();
                completion = ReadCount(ref reader);
                any = true;
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8))
            {
                reader.Read();
                cached = ReadCachedTokens(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        usage = new TokenUsage(prompt, cached, completion);
        return any;
    }

    private static long ReadCachedTokens(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return 0;
        }

        long cached = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCached = reader.ValueTextEquals("cached_tokens"u8);
            reader.Read();
            if (isCached)
            {
                cached = ReadCount(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return cached;
    }

    private static long ReadCount(ref Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value > 0 ? value : 0;
}
