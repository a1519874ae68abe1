using System.Buffers;
using System.Text.Json;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// The <c>metadata</c> level: the shape of a call without any of its text. Of a request: the model, whether it streams,
/// the message (or input item) count and roles, the tool and function names, the sampling parameters. Of an answer: the
/// finish reasons (or status), the tool calls' function names, the output item types.
/// </summary>
internal static class PayloadShape
{
    // Parameters that say how the call was made, never what it said.
    private static readonly string[] Parameters =
    [
        "temperature", "top_p", "n", "max_tokens", "max_completion_tokens", "max_output_tokens", "presence_penalty",
        "frequency_penalty", "seed", "logprobs", "top_logprobs", "parallel_tool_calls", "reasoning_effort", "service_tier", "store",
    ];

    /// <summary>The shape of a request body as JSON, or null when it is not a JSON object.</summary>
    public static byte[]? OfRequest(ReadOnlyMemory<byte> body)
    {
        return Write(body, (root, writer) =>
        {
            CopyIf(root, writer, "model", JsonValueKind.String);
            CopyIf(root, writer, "stream", JsonValueKind.True, JsonValueKind.False);
            foreach (var name in Parameters)
            {
                CopyIf(root, writer, name, JsonValueKind.Number, JsonValueKind.True, JsonValueKind.False, JsonValueKind.String);
            }

            if (root.TryGetProperty("response_format"u8, out var format) && format.ValueKind == JsonValueKind.Object)
            {
                CopyAs(format, writer, "type", "response_format", JsonValueKind.String);
            }

            var items = root.TryGetProperty("messages"u8, out var messages) ? messages
                : root.TryGetProperty("input"u8, out var input) ? input : default;
            if (items.ValueKind == JsonValueKind.Array)
            {
                writer.WriteNumber("messages"u8, items.GetArrayLength());
                writer.WriteStartArray("roles"u8);
                foreach (var item in items.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("role"u8, out var role) && role.ValueKind == JsonValueKind.String)
                    {
                        writer.WriteStringValue(role.GetString());
                    }
                    else if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String)
                    {
                        writer.WriteStringValue(type.GetString());
                    }
                }

                writer.WriteEndArray();
            }
            else if (items.ValueKind == JsonValueKind.String)
            {
                writer.WriteNumber("messages"u8, 1);
            }

            if (root.TryGetProperty("tools"u8, out var tools) && tools.ValueKind == JsonValueKind.Array)
            {
                writer.WriteStartArray("tools"u8);
                foreach (var tool in tools.EnumerateArray())
                {
                    if (ToolName(tool) is { } name)
                    {
                        writer.WriteStringValue(name);
                    }
                }

                writer.WriteEndArray();
            }
        });
    }

    /// <summary>The shape of an answer (a JSON body, or a stream assembled as one) as JSON, or null when it is not a JSON object.</summary>
    public static byte[]? OfResponse(ReadOnlyMemory<byte> body)
    {
        return Write(body, (root, writer) =>
        {
            CopyIf(root, writer, "model", JsonValueKind.String);
            CopyIf(root, writer, "status", JsonValueKind.String);
            if (root.TryGetProperty("choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                writer.WriteNumber("choices"u8, choices.GetArrayLength());
                writer.WriteStartArray("finish_reasons"u8);
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("finish_reason"u8, out var reason) && reason.ValueKind == JsonValueKind.String)
                    {
                        writer.WriteStringValue(reason.GetString());
                    }
                }

                writer.WriteEndArray();
                writer.WriteStartArray("tool_calls"u8);
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message"u8, out var message) && message.ValueKind == JsonValueKind.Object
                        && message.TryGetProperty("tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var call in calls.EnumerateArray())
                        {
                            if (ToolName(call) is { } name)
                            {
                                writer.WriteStringValue(name);
                            }
                        }
                    }
                }

                writer.WriteEndArray();
            }

            if (root.TryGetProperty("output"u8, out var output) && output.ValueKind == JsonValueKind.Array)
            {
                writer.WriteStartArray("output"u8);
                foreach (var item in output.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String)
                    {
                        var kind = type.GetString();
                        writer.WriteStringValue(kind == "function_call" && item.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String
                            ? kind + ":" + name.GetString() : kind);
                    }
                }

                writer.WriteEndArray();
            }

            if (root.TryGetProperty("error"u8, out var error) && error.ValueKind == JsonValueKind.Object)
            {
                CopyAs(error, writer, "code", "error_code", JsonValueKind.String);
                CopyAs(error, writer, "type", "error_type", JsonValueKind.String);
            }
        });
    }

    // A tool's or a tool call's function name: {"type":"function","function":{"name":…}} or the Responses API's {"name":…}.
    private static string? ToolName(JsonElement tool)
    {
        if (tool.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (tool.TryGetProperty("function"u8, out var function) && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name"u8, out var inner) && inner.ValueKind == JsonValueKind.String)
        {
            return inner.GetString();
        }

        if (tool.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String)
        {
            return name.GetString();
        }

        return tool.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
    }

    private static void CopyIf(JsonElement root, Utf8JsonWriter writer, string name, params JsonValueKind[] kinds) =>
        CopyAs(root, writer, name, name, kinds);

    private static void CopyAs(JsonElement root, Utf8JsonWriter writer, string name, string asName, params JsonValueKind[] kinds)
    {
        if (root.TryGetProperty(name, out var value) && Array.IndexOf(kinds, value.ValueKind) >= 0)
        {
            writer.WritePropertyName(asName);
            value.WriteTo(writer);
        }
    }

    private static byte[]? Write(ReadOnlyMemory<byte> body, Action<JsonElement, Utf8JsonWriter> shape)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var output = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(output, PayloadJson.WriterOptions))
            {
                writer.WriteStartObject();
                shape(document.RootElement, writer);
                writer.WriteEndObject();
            }

            return output.WrittenSpan.ToArray();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
