using AiGateway.Transforms.Relay;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// What the dedupe step made of one call (a request feature it alone writes): whether the call led its answer, followed
/// an identical call in flight or resumed one, the answer it got, and for a leader how long the upstream took.
/// </summary>
public sealed class DedupeFeature
{
    /// <summary><c>leader</c> or <c>follower</c> when dedupe applied, else null.</summary>
    public string? Role { get; internal set; }

    /// <summary>The answer the call led, followed or resumed; null when it got none (refused, or answered from the cache).</summary>
    public LiveResponse? Answer { get; internal set; }

    /// <summary>How long the upstream call took, for the call that led it.</summary>
    public TimeSpan? UpstreamDuration { get; internal set; }

    /// <summary>Whether the call got an answer another call paid for (it followed one in flight).</summary>
    public bool Followed => Role == DedupeRoles.Follower;
}
