using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>POST /v1/embeddings: deterministic unit vectors, as floats or base64 (the .NET SDK asks for base64).</summary>
internal static class EmbeddingsEndpoint
{
    public const string DefaultModel = "text-embedding-3-small";
    private const int DefaultDimensions = 8;
    private const int MaxDimensions = 4096;

    public static async Task HandleAsync(MockCall call)
    {
        using var doc = await call.ParseJsonObjectAsync();
        if (doc is null)
            return;

        var root = doc.RootElement;
        if (!root.TryGetProperty("input"u8, out var input)
            || input.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            await MockHttp.WriteErrorAsync(call, StatusCodes.Status400BadRequest,
                "'input' is a required property", "invalid_request_error", "input");
            return;
        }

        var model = MockText.String(root, "model"u8) ?? DefaultModel;
        var base64 = MockText.String(root, "encoding_format"u8) == "base64";
        var dimensions = root.TryGetProperty("dimensions"u8, out var d) && d.TryGetInt32(out var n)
            ? Math.Clamp(n, 1, MaxDimensions)
            : DefaultDimensions;

        var buffer = new ArrayBufferWriter<byte>(256 + 64 * dimensions);
        using (var w = new Utf8JsonWriter(buffer, MockHttp.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("object"u8, "list"u8);
            w.WriteStartArray("data"u8);
            var tokens = 0;
            var vector = new float[dimensions];
            // A single string, a token array, or a list of strings / token arrays.
            var isBatch = input.ValueKind == JsonValueKind.Array
                          && input.GetArrayLength() > 0
                          && input[0].ValueKind != JsonValueKind.Number;
            if (isBatch)
            {
                var index = 0;
                foreach (var item in input.EnumerateArray())
                    tokens += WriteEmbedding(w, item, index++, vector, base64);
            }
            else
            {
                tokens += WriteEmbedding(w, input, 0, vector, base64);
            }

            w.WriteEndArray();
            w.WriteString("model"u8, model);
            w.WriteStartObject("usage"u8);
            w.WriteNumber("prompt_tokens"u8, tokens);
            w.WriteNumber("total_tokens"u8, tokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        await MockHttp.WriteJsonAsync(call, StatusCodes.Status200OK, buffer);
    }

    private static int WriteEmbedding(Utf8JsonWriter w, JsonElement item, int index, float[] vector, bool base64)
    {
        int tokens;
        uint seed;
        if (item.ValueKind == JsonValueKind.String)
        {
            var text = item.GetString()!;
            tokens = MockText.Tokens(text.Length);
            seed = Fnv1a(text);
        }
        else
        {
            tokens = item.ValueKind == JsonValueKind.Array ? Math.Max(1, item.GetArrayLength()) : 1;
            seed = Fnv1a(item.GetRawText());
        }

        Fill(vector, seed);
        w.WriteStartObject();
        w.WriteString("object"u8, "embedding"u8);
        w.WriteNumber("index"u8, index);
        if (base64)
        {
            var bytes = new byte[vector.Length * sizeof(float)];
            for (var i = 0; i < vector.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
            w.WriteBase64String("embedding"u8, bytes);
        }
        else
        {
            w.WriteStartArray("embedding"u8);
            foreach (var value in vector)
                w.WriteNumberValue(value);
            w.WriteEndArray();
        }

        w.WriteEndObject();
        return tokens;
    }

    // xorshift32 from a stable string hash: same input, same vector, in every process.
    private static void Fill(float[] vector, uint seed)
    {
        var state = seed == 0 ? 0x9E3779B9u : seed;
        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            vector[i] = (float)(state / (double)uint.MaxValue * 2.0 - 1.0);
            norm += vector[i] * vector[i];
        }

        var scale = norm > 0 ? (float)(1.0 / Math.Sqrt(norm)) : 1f;
        for (var i = 0; i < vector.Length; i++)
            vector[i] *= scale;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }

        return hash;
    }
}
