namespace AiGateway.Transforms.Quota;

/// <summary>
/// The ledger's answer to a <see cref="QuotaTicket"/>: admitted with what is left of the tightest rate limits (for the
/// <c>x-ratelimit-*</c> headers), or refused by one level with when to try again.
/// </summary>
internal sealed record QuotaDecision
{
    /// <summary>Admitted, with no rate limit to report.</summary>
    public static readonly QuotaDecision Unlimited = new() { Admitted = true };

    /// <summary>Whether the call may go on.</summary>
    public bool Admitted { get; init; }

    /// <summary>The level that refused the call.</summary>
    public QuotaLevel? RefusedBy { get; init; }

    /// <summary>What the refusing level ran out of.</summary>
    public QuotaKind Kind { get; init; }

    /// <summary>When the refused call could pass, if nothing else takes the room meanwhile.</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>Whether waiting cannot help: the call's estimate alone exceeds the level's token limit, or its budget is used up for the month.</summary>
    public bool Final { get; init; }

    /// <summary>The tightest requests-per-minute limit that applied (the one with the fewest left), or null.</summary>
    public RateWindow? Requests { get; init; }

    /// <summary>The tightest tokens-per-minute limit that applied, or null.</summary>
    public RateWindow? Tokens { get; init; }
}

/// <summary>What a per-minute limit had left once the call was counted.</summary>
/// <param name="Limit">The limit per minute.</param>
/// <param name="Remaining">What is left in the bucket now.</param>
/// <param name="Reset">How long until the bucket is full again.</param>
internal readonly record struct RateWindow(long Limit, long Remaining, TimeSpan Reset);
