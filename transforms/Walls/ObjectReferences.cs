using System.Text.Json;

namespace AiGateway.Transforms.Walls;

/// <summary>
/// The upstream object ids a call names: path segments shaped like an object id, and in an AI call's body
/// <c>previous_response_id</c>, <c>conversation</c> (an id or <c>{"id"}</c>) and every <c>file_id</c> / <c>input_file_id</c>.
/// </summary>
internal static class ObjectReferences
{
    // The id prefixes of the objects OpenAI stores per account.
    private static readonly string[] IdPrefixes = ["resp_", "chatcmpl-", "chatcmpl_", "file-", "file_", "batch_", "vs_", "upload_", "conv_", "msg_"];

    /// <summary>The path segments that are object ids.</summary>
    public static List<string>? InPath(string? path)
    {
        List<string>? ids = null;
        foreach (var range in (path ?? "").AsSpan().Split('/'))
        {
            var segment = path.AsSpan(range);
            foreach (var prefix in IdPrefixes)
            {
                if (segment.Length > prefix.Length && segment.StartsWith(prefix, StringComparison.Ordinal))
                {
                    (ids ??= []).Add(segment.ToString());
                    break;
                }
            }
        }

        return ids;
    }

    /// <summary>The ids an AI call's body names (null when none: the usual call, found without walking the body).</summary>
    public static List<string>? InBody(JsonElement root, ReadOnlySpan<byte> body)
    {
        List<string>? ids = null;
        if (root.TryGetProperty("previous_response_id"u8, out var previous) && previous.ValueKind == JsonValueKind.String)
        {
            (ids ??= []).Add(previous.GetString()!);
        }

        if (root.TryGetProperty("conversation"u8, out var conversation))
        {
            if (conversation.ValueKind == JsonValueKind.String)
            {
                (ids ??= []).Add(conversation.GetString()!);
            }
            else if (conversation.ValueKind == JsonValueKind.Object && conversation.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String)
            {
                (ids ??= []).Add(id.GetString()!);
            }
        }

        // File references sit deep in messages and inputs: walk the body only when it holds the name at all.
        if (body.IndexOf("file_id\""u8) >= 0)
        {
            CollectFileIds(root, ref ids);
        }

        return ids;
    }

    private static void CollectFileIds(JsonElement element, ref List<string>? ids)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String && (property.NameEquals("file_id"u8) || property.NameEquals("input_file_id"u8)))
                    {
                        (ids ??= []).Add(property.Value.GetString()!);
                    }
                    else
                    {
                        CollectFileIds(property.Value, ref ids);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectFileIds(item, ref ids);
                }

                break;
        }
    }
}
