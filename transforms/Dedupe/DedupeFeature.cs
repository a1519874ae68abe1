using AiGateway.Transforms.Relay;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// What the dedupe step made of one call (a request feature it alone writes): whether the call led its answer, followed
/// an identical call in flight or resumed one, the answer it got, for a leader how long the upstream took, and what the
/// stream client said about the call (its reconnect number, whether it is its non-streamed fallback).
/// </summary>
public sealed class DedupeFeature
{
    /// <summary><c>leader</c>, <c>follower</c> or <c>resumer</c> when dedupe applied, else null.</summary>
    public string? Role { get; internal set; }

    /// <summary>The answer the call led, followed or resumed; null when it got none (refused, or answered from the cache).</summary>
    public LiveResponse? Answer { get; internal set; }

    /// <summary>The call's client as a reader of <see cref="Answer"/>: whether it left early or was released.</summary>
    public LiveReader? Reader { get; internal set; }

    /// <summary>How long the upstream call took, for the call that led it.</summary>
    public TimeSpan? UpstreamDuration { get; internal set; }

    /// <summary>The reconnect this request is by the client's count (<c>x-aigw-resume-attempt</c>, 0 to 1000), or null.</summary>
    public int? ClientAttempt { get; internal set; }

    /// <summary>Whether the request is the stream client's non-streamed fallback (<c>x-aigw-fallback: non-stream</c>).</summary>
    public bool ClientFallback { get; internal set; }

    /// <summary>Whether the call got an answer another call paid for (it followed one in flight).</summary>
    public bool Followed => Role == DedupeRoles.Follower;

    /// <summary>Whether the call resumed an answer another call began and paid for.</summary>
    public bool Resumed => Role == DedupeRoles.Resumer;
}
