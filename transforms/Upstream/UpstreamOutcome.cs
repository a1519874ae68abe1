using AiGateway.Transforms.Exchange;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// What happened upstream for one AI call (a request feature, and an option of its upstream request, made by the
/// upstream transform): how many attempts it took and, when its model failed and a fallback model answered, which.
/// Only the upstream handler writes it; the cache, metering and log steps read it.
/// </summary>
public sealed class UpstreamOutcome
{
    internal UpstreamOutcome(AiExchange exchange) => Exchange = exchange;

    /// <summary>The call.</summary>
    public AiExchange Exchange { get; }

    /// <summary>Upstream attempts made (retries and the fallback attempt included); 0 when it never reached the upstream.</summary>
    public int Attempts { get; internal set; }

    /// <summary>Cancelled when the answer this call leads is cancelled (by an operator, or with no reader left): the upstream call then stops, even before it answered.</summary>
    internal CancellationToken AnswerAborted { get; set; }

    /// <summary>The fallback model that answered instead of the call's own (<c>Gateway:Upstream:FallbackModels</c>), or null.</summary>
    public string? FallbackModel { get; internal set; }
}
