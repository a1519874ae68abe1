namespace AiGateway.Transforms.Endpoints;

/// <summary>The tokens one call consumed, as the upstream counted them (or as estimated).</summary>
/// <param name="PromptTokens">Input tokens, cached ones included (<c>prompt_tokens</c> / <c>input_tokens</c>).</param>
/// <param name="CachedTokens">The part of <paramref name="PromptTokens"/> served from the upstream's prompt cache.</param>
/// <param name="CompletionTokens">Output tokens, reasoning included (<c>completion_tokens</c> / <c>output_tokens</c>).</param>
public readonly record struct TokenUsage(long PromptTokens, long CachedTokens, long CompletionTokens)
{
    /// <summary>Input tokens billed at the full input price.</summary>
    public long UncachedPromptTokens => Math.Max(0, PromptTokens - CachedTokens);

    /// <summary>Cached input tokens, never more than <see cref="PromptTokens"/>.</summary>
    public long BilledCachedTokens => Math.Clamp(CachedTokens, 0, Math.Max(0, PromptTokens));
}
