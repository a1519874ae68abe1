using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Relay;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// A follower's side of cross-instance dedupe: fills a local <see cref="LiveResponse"/> from the leader's Redis Stream.
/// It subscribes first, then reads the log from the start and after each announcement (or each second), de-duplicating
/// by entry id; StackExchange.Redis has no blocking XREAD on its shared connection. When the leader's lease expires
/// before the answer ends, the local copy fails so its clients lead a fresh call (or, mid-stream, end with an error event).
/// </summary>
internal static class RedisLiveFeed
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Reads the log of answer <paramref name="responseId"/> until it ends. With <paramref name="mustExist"/> (a resume),
    /// returns false, leaving <paramref name="local"/> untouched, when there is no such log.
    /// </summary>
    public static async Task<bool> RunAsync(RedisConnection redis, LiveResponse local, string responseId, bool mustExist)
    {
        var database = redis.Multiplexer.GetDatabase();
        var subscriber = redis.Multiplexer.GetSubscriber();
        var fingerprint = local.Fingerprint;
        var signal = new SemaphoreSlim(0);
        var channel = RedisLiveKeys.Channel(fingerprint);
        var watchers = RedisLiveKeys.Watchers(fingerprint);
        var log = RedisLiveKeys.Log(fingerprint, responseId);
        Action<RedisChannel, RedisValue> onMessage = (_, _) => signal.Release();
        var watching = false;
        try
        {
            // Subscribe before the first read, so no announcement between the read and the wait is missed.
            await subscriber.SubscribeAsync(channel, onMessage);
            await database.StringIncrementAsync(watchers);
            watching = true;
            await database.KeyExpireAsync(watchers, TimeSpan.FromMinutes(10));
            RedisValue last = "-";
            var quietRounds = 0;
            while (true)
            {
                var entries = await database.StreamRangeAsync(log, last == "-" ? "-" : "(" + last, "+", count: 512);
                if (mustExist && last == "-" && entries.Length == 0)
                {
                    return false;
                }

                foreach (var entry in entries)
                {
                    RedisLiveEntries.Apply(entry, local);
                    last = entry.Id;
                }

                if (local.IsFinished)
                {
                    return true;
                }

                quietRounds = entries.Length > 0 ? 0 : quietRounds + 1;
                if (quietRounds >= 2 && await RedisLeaderLease.HolderAsync(database, fingerprint) != responseId)
                {
                    // Read once more: the leader may have finished between our read and its lease release.
                    var tail = await database.StreamRangeAsync(log, last == "-" ? "-" : "(" + last, "+");
                    foreach (var entry in tail)
                    {
                        RedisLiveEntries.Apply(entry, local);
                    }

                    if (!local.IsFinished)
                    {
                        Lose(local, "The gateway instance producing this answer stopped.");
                    }

                    return true;
                }

                await signal.WaitAsync(Poll);
            }
        }
        catch (Exception ex)
        {
            // Whatever failed, the local copy must end: its clients would otherwise wait for it until their limit.
            redis.ReportFailure(ex);
            if (!local.IsFinished)
            {
                Lose(local, "Lost contact with the answer's producer: " + ex.Message);
            }

            return true;
        }
        finally
        {
            _ = subscriber.UnsubscribeAsync(channel, onMessage, CommandFlags.FireAndForget);
            if (watching)
            {
                _ = database.StringDecrementAsync(watchers, flags: CommandFlags.FireAndForget);
            }
        }
    }

    /// <summary>Ends a local copy whose producer is gone.</summary>
    private static void Lose(LiveResponse local, string message) =>
        // Unless it is a stream that started, nothing of it has reached a client (a body is written whole, at its end),
        // so its clients lead a fresh call; a started stream's clients get the error event after the events so far.
        local.Fail(0, default, local.Endpoint.FailureEvent(message, "leader_lost"),
            byCancellation: local.State == LiveState.Waiting || !local.IsEventStream);
}
