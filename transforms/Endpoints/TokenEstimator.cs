using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// Estimates the tokens of a call whose stream ended without usage (CONTRACT §6: logged with <c>usage_estimated</c>), with
/// OpenAI's own BPE encodings from Microsoft.ML.Tokenizers: o200k_base for the gpt-4o, gpt-4.1, gpt-5 and o-series
/// families (and unknown, newer models), cl100k_base for gpt-4, gpt-3.5 and the embedding models. If an encoding cannot
/// be loaded, four characters count as one token. Images, audio and files in a prompt are not counted.
/// </summary>
internal static class TokenEstimator
{
    // OpenAI's published rule of thumb for the chat format: each message adds about 3 tokens of extraTokens, and the
    // reply is primed with 3 more.
    private const int TokensPerMessage = 3;
    private const int ReplyPriming = 3;

    // Tokenizing is linear in the text; beyond this many characters the rest is estimated at the same rate.
    private const int MaxTokenizedChars = 1 << 20;

    private static readonly Lazy<Tokenizer?> O200k = new(() => Load("o200k_base"));
    private static readonly Lazy<Tokenizer?> Cl100k = new(() => Load("cl100k_base"));

    /// <summary>The estimated usage of a stream: the prompt from the request body, the completion from the collected text.</summary>
    public static TokenUsage Estimate(string? model, JsonElement request, StreamCompletionText completion)
        => new(EstimatePromptTokens(model, request), 0, EstimateCompletionTokens(model, completion));

    /// <summary>The estimated input tokens of a request body (chat <c>messages</c>, <c>prompt</c>, Responses <c>input</c> and <c>instructions</c>, tools).</summary>
    public static long EstimatePromptTokens(string? model, JsonElement request)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }

        var text = new StringBuilder();
        long extraTokens = 0;
        if (request.TryGetProperty("messages"u8, out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in messages.EnumerateArray())
            {
                extraTokens += TokensPerMessage;
                AppendItem(text, message);
            }

            extraTokens += ReplyPriming;
        }

        if (request.TryGetProperty("instructions"u8, out var instructions))
        {
            AppendContent(text, instructions);
        }

        if (request.TryGetProperty("prompt"u8, out var prompt))
        {
            extraTokens += AppendContent(text, prompt);
        }

        if (request.TryGetProperty("input"u8, out var input))
        {
            if (input.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in input.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        extraTokens += TokensPerMessage;
                        AppendItem(text, item);
                    }
                    else
                    {
                        extraTokens += AppendContent(text, item);
                    }
                }
            }
            else
            {
                AppendContent(text, input);
            }
        }

        // Tool definitions are sent to the model as text too; their JSON is a fair stand-in.
        foreach (var name in (ReadOnlySpan<string>)["tools", "functions"])
        {
            if (request.TryGetProperty(name, out var tools) && tools.ValueKind == JsonValueKind.Array)
            {
                text.Append(tools.GetRawText()).Append('\n');
            }
        }

        return extraTokens + CountTokens(model, text.ToString());
    }

    /// <summary>The estimated output tokens of the collected text of a stream.</summary>
    public static long EstimateCompletionTokens(string? model, StreamCompletionText completion)
    {
        var text = completion.Text;
        if (text.Length == 0)
        {
            return 0;
        }

        var tokens = CountTokens(model, text);
        return completion.TotalChars > text.Length ? (long)Math.Ceiling((double)tokens * completion.TotalChars / text.Length) : tokens;
    }

    /// <summary>The tokens of <paramref name="text"/> in the encoding of <paramref name="model"/>.</summary>
    public static long CountTokens(string? model, string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        var tokenizer = EncodingName(model) == "cl100k_base" ? Cl100k.Value : O200k.Value;
        if (tokenizer is null)
        {
            return (text.Length + 3) / 4;
        }

        if (text.Length <= MaxTokenizedChars)
        {
            return tokenizer.CountTokens(text);
        }

        var head = tokenizer.CountTokens(text.AsSpan(0, MaxTokenizedChars));
        return (long)Math.Ceiling((double)head * text.Length / MaxTokenizedChars);
    }

    /// <summary>Whether the BPE encodings loaded (false: the chars/4 fallback is in use).</summary>
    internal static bool UsesTokenizer => O200k.Value is not null && Cl100k.Value is not null;

    /// <summary>The tiktoken encoding of a model: <c>o200k_base</c> or <c>cl100k_base</c>.</summary>
    internal static string EncodingName(string? model)
    {
        var name = model ?? "";
        // Fine-tuned models are named "ft:<base>:<org>::<id>".
        if (name.StartsWith("ft:", StringComparison.OrdinalIgnoreCase))
        {
            name = name[3..];
        }

        foreach (var prefix in (ReadOnlySpan<string>)["gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "gpt-oss", "codex"])
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return "o200k_base";
            }
        }

        foreach (var prefix in (ReadOnlySpan<string>)["gpt-4", "gpt-3.5", "gpt-35", "text-embedding-", "davinci-002", "babbage-002"])
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return "cl100k_base";
            }
        }

        return "o200k_base";
    }

    private static Tokenizer? Load(string encoding)
    {
        try
        {
            return TiktokenTokenizer.CreateForEncoding(encoding);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The data package is missing or unreadable: fall back to chars/4 rather than fail the request path.
            return null;
        }
    }

    // A chat message or a Responses input item: its role, name, content, tool calls and tool output.
    private static void AppendItem(StringBuilder text, JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            AppendContent(text, item);
            return;
        }

        foreach (var name in (ReadOnlySpan<string>)["role", "name", "content", "output", "arguments", "text"])
        {
            if (item.TryGetProperty(name, out var value))
            {
                AppendContent(text, value);
            }
        }

        if (item.TryGetProperty("tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function"u8, out var function) && function.ValueKind == JsonValueKind.Object)
                {
                    foreach (var name in (ReadOnlySpan<string>)["name", "arguments"])
                    {
                        if (function.TryGetProperty(name, out var value))
                        {
                            AppendContent(text, value);
                        }
                    }
                }
            }
        }
    }

    // Text content: a string, an array of strings or of parts with "text", or an array of token ids (returned as a count).
    private static long AppendContent(StringBuilder text, JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                text.Append(content.GetString()).Append('\n');
                return 0;
            case JsonValueKind.Array:
                long tokenIds = 0;
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Number)
                    {
                        tokenIds++;
                    }
                    else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text"u8, out var partText) && partText.ValueKind == JsonValueKind.String)
                    {
                        text.Append(partText.GetString()).Append('\n');
                    }
                    else
                    {
                        tokenIds += AppendContent(text, part);
                    }
                }

                return tokenIds;
            default:
                return 0;
        }
    }
}
