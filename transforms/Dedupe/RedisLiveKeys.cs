using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// Redis names of the live answer to fingerprint F, all hash-tagged on F so they share a Redis Cluster slot:
/// the leader's lease <c>aigw:lead:{F}</c> (its value: the response id R being produced), the event log of each answer
/// <c>aigw:live:{F}:R</c> (a Redis Stream, kept for the resume window after the answer ends), the count of remote
/// readers <c>aigw:watch:{F}</c>, and the pub/sub channel <c>aigw:live:{F}</c> that announces new entries;
/// <see cref="MirrorRequests"/> is the one name without F.
/// </summary>
internal static class RedisLiveKeys
{
    /// <summary>The leader's lease.</summary>
    public static RedisKey Lease(string fingerprint) => "aigw:lead:{" + fingerprint + "}";

    /// <summary>The event log.</summary>
    public static RedisKey Log(string fingerprint, string responseId) => "aigw:live:{" + fingerprint + "}:" + responseId;

    /// <summary>How many clients on other instances read the answer.</summary>
    public static RedisKey Watchers(string fingerprint) => "aigw:watch:{" + fingerprint + "}";

    /// <summary>
    /// The one channel on which readers on other instances ask a leader to start an answer's log (message:
    /// <c>F R</c>); a PUBLISH reaches every node of a Redis Cluster, so it is not hash-tagged.
    /// </summary>
    public static RedisChannel MirrorRequests { get; } = RedisChannel.Literal("aigw:mirror");

    /// <summary>The notification channel.</summary>
    public static RedisChannel Channel(string fingerprint) => RedisChannel.Literal("aigw:live:{" + fingerprint + "}");
}
