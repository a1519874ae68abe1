using System.Text.Json;

namespace MockOpenAi;

/// <summary>Token counts of one reply, written in the shape each endpoint family uses.</summary>
internal readonly record struct Usage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>Chat and legacy completions: prompt_tokens / completion_tokens.</summary>
    public void WriteChat(Utf8JsonWriter w, bool withDetails = true)
    {
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens"u8, PromptTokens);
        w.WriteNumber("completion_tokens"u8, CompletionTokens);
        w.WriteNumber("total_tokens"u8, TotalTokens);
        if (withDetails)
        {
            w.WriteStartObject("prompt_tokens_details"u8);
            w.WriteNumber("cached_tokens"u8, 0);
            w.WriteEndObject();
            w.WriteStartObject("completion_tokens_details"u8);
            w.WriteNumber("reasoning_tokens"u8, 0);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Responses API: input_tokens / output_tokens.</summary>
    public void WriteResponses(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("input_tokens"u8, PromptTokens);
        w.WriteStartObject("input_tokens_details"u8);
        w.WriteNumber("cached_tokens"u8, 0);
        w.WriteEndObject();
        w.WriteNumber("output_tokens"u8, CompletionTokens);
        w.WriteStartObject("output_tokens_details"u8);
        w.WriteNumber("reasoning_tokens"u8, 0);
        w.WriteEndObject();
        w.WriteNumber("total_tokens"u8, TotalTokens);
        w.WriteEndObject();
    }
}
