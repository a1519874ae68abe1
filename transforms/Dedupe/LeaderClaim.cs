namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// The outcome of asking for a fingerprint's Redis lease in the cache lookup's round trip (a miss only): either this
/// call now holds it for answer <paramref name="ResponseId"/>, or <paramref name="Holder"/> (another answer) does.
/// </summary>
/// <param name="ResponseId">The response id the lease was asked for; the call's answer keeps it when it leads.</param>
/// <param name="Acquired">Whether the lease is now this call's.</param>
/// <param name="Holder">The response id of the answer that holds the lease, when not acquired.</param>
internal readonly record struct LeaderClaim(string ResponseId, bool Acquired, string? Holder);
