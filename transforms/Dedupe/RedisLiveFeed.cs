using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Relay;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// A follower's side of cross-instance dedupe: fills a local <see cref="LiveResponse"/> from the leader's Redis Stream.
/// It subscribes first, asks the leader for the log (a leader writes one only when asked: <see cref="RedisMirrorRequests"/>),
/// then reads the log from the start and after each announcement (or each second), de-duplicating by entry id;
/// StackExchange.Redis has no blocking XREAD on its shared connection. While the log is still empty the request is sent
/// again each round (pub/sub may drop one). When the leader's lease expires before the answer ends, the local copy fails
/// so its clients lead a fresh call (or, mid-stream, end with an error event).
/// </summary>
internal static class RedisLiveFeed
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    // Rounds an empty log is waited for once nobody holds the lease: an answer that ended unasked is written whole on
    // request, within a round trip or two of its instance, and one whose instance is gone never is.
    private const int EmptyRoundsWithoutLeader = 3;

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
            await RedisMirrorRequests.RequestAsync(database, fingerprint, responseId);
            RedisValue last = "-";
            var quietRounds = 0;
            var leaderlessRounds = 0;
            while (true)
            {
                var entries = await database.StreamRangeAsync(log, last == "-" ? "-" : "(" + last, "+", count: 512);
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
                if (last == "-")
                {
                    leaderlessRounds = await RedisLeaderLease.HolderAsync(database, fingerprint) == responseId ? 0 : leaderlessRounds + 1;
                    if (leaderlessRounds >= EmptyRoundsWithoutLeader)
                    {
                        // Read once more: the leader may have written it all between our read and its lease release.
                        foreach (var entry in await database.StreamRangeAsync(log, "-", "+", count: 512))
                        {
                            RedisLiveEntries.Apply(entry, local);
                            last = entry.Id;
                        }

                        if (last == "-")
                        {
                            // Nothing was ever written and nobody produces it: no such answer (a resume), or its leader died.
                            if (mustExist)
                            {
                                return false;
                            }

                            Lose(local, "The gateway instance producing this answer stopped.");
                            return true;
                        }

                        continue;
                    }

                    await RedisMirrorRequests.RequestAsync(database, fingerprint, responseId);
                }
                else if (quietRounds >= 2 && await RedisLeaderLease.HolderAsync(database, fingerprint) != responseId)
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

                // An empty log is looked at again sooner: the request that starts it may have been lost.
                await signal.WaitAsync(last == "-" ? Poll / 3 : Poll);
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
