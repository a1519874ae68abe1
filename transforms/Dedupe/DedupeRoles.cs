namespace AiGateway.Transforms.Dedupe;

/// <summary>The <c>x-aigw-dedupe</c> values and the log's <c>dedupe_role</c> (CONTRACT §5, §7, §10.1).</summary>
public static class DedupeRoles
{
    /// <summary>The call made the upstream call that identical calls joined.</summary>
    public const string Leader = "leader";

    /// <summary>The call joined an identical call in flight and made no upstream call.</summary>
    public const string Follower = "follower";

    /// <summary>
    /// The call resumed an answer another call began (a stream repeated with <c>Last-Event-ID</c>, or the stream client's
    /// non-streamed fallback answered from the same generation) and made no upstream call.
    /// </summary>
    public const string Resumer = "resumer";
}
