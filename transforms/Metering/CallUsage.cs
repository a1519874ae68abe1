using AiGateway.Transforms.Endpoints;

namespace AiGateway.Transforms.Metering;

/// <summary>
/// What one call consumed and cost (a request feature, measured once by <see cref="UsageMeter"/> when the call ends):
/// the tokens and cost of a call that reached the upstream, or what a hit or a follower saved.
/// </summary>
public sealed class CallUsage
{
    /// <summary>Nothing consumed: the call was refused before it was understood.</summary>
    public static readonly CallUsage None = new(null, null, false, null, null);

    internal CallUsage(string? modelUsed, TokenUsage? usage, bool estimated, decimal? costUsd, decimal? savedUsd, bool unreported = false)
    {
        UsageUnreported = unreported;
        ModelUsed = modelUsed;
        Usage = usage;
        UsageEstimated = estimated;
        CostUsd = costUsd;
        SavedUsd = savedUsd;
    }

    /// <summary>The model that answered: the one sent upstream, or the fallback model that stood in for it.</summary>
    public string? ModelUsed { get; }

    /// <summary>The billed tokens, or null when the call consumed none it knows of (hits and followers bill none).</summary>
    public TokenUsage? Usage { get; }

    /// <summary>Whether <see cref="Usage"/> is a tokenizer estimate (a stream that ended without the upstream's count).</summary>
    public bool UsageEstimated { get; }

    /// <summary>What the call cost (0 for a hit or a follower), or null when the model has no price or nothing is known.</summary>
    public decimal? CostUsd { get; }

    /// <summary>What a hit or a follower avoided paying, or null.</summary>
    public decimal? SavedUsd { get; }

    /// <summary>
    /// Whether the upstream answered a metered call (images, audio, a batch) successfully without reporting its usage in
    /// tokens (speech, DALL·E, Whisper's seconds, a batch): its tokens and cost are unknown, not zero.
    /// </summary>
    public bool UsageUnreported { get; }
}
