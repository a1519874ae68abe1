using System.Buffers;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>GET /v1/models and GET /v1/models/{id} over a fixed list.</summary>
internal static class ModelsEndpoint
{
    private static readonly (string Id, long Created)[] Models =
    [
        ("gpt-4o", 1715367049),
        ("gpt-4o-mini", 1721172741),
        ("gpt-4.1", 1744316542),
        ("gpt-4.1-mini", 1744318173),
        ("o3-mini", 1737146383),
        ("gpt-3.5-turbo-instruct", 1692901427),
        ("text-embedding-3-small", 1705948997),
        ("text-embedding-3-large", 1705953180),
    ];

    public static Task ListAsync(MockCall call)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, MockHttp.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("object"u8, "list"u8);
            w.WriteStartArray("data"u8);
            foreach (var (id, created) in Models)
                WriteModel(w, id, created);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return MockHttp.WriteJsonAsync(call, StatusCodes.Status200OK, buffer);
    }

    public static Task GetAsync(MockCall call, string id)
    {
        foreach (var (knownId, created) in Models)
        {
            if (knownId != id)
                continue;
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer, MockHttp.WriterOptions))
                WriteModel(w, knownId, created);
            return MockHttp.WriteJsonAsync(call, StatusCodes.Status200OK, buffer);
        }

        return MockHttp.WriteErrorAsync(call, StatusCodes.Status404NotFound,
            $"The model '{id}' does not exist", "invalid_request_error", "model", "model_not_found");
    }

    private static void WriteModel(Utf8JsonWriter w, string id, long created)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("object"u8, "model"u8);
        w.WriteNumber("created"u8, created);
        w.WriteString("owned_by"u8, "system"u8);
        w.WriteEndObject();
    }
}
