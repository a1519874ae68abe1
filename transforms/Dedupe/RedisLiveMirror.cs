using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// The leader's side of cross-instance dedupe: copies its <see cref="LiveResponse"/> into the Redis Stream as it grows,
/// announces each addition, renews the lease, and keeps the upstream call alive while clients on other instances read.
/// </summary>
internal static class RedisLiveMirror
{
    /// <summary>Mirrors until the answer ends, then keeps the log for the resume window and gives the lease up.</summary>
    public static async Task RunAsync(RedisConnection redis, LiveResponse live, TimeSpan lease, TimeSpan resumeWindow)
    {
        var database = redis.Multiplexer.GetDatabase();
        var subscriber = redis.Multiplexer.GetSubscriber();
        var log = RedisLiveKeys.Log(live.Fingerprint, live.ResponseId);
        var channel = RedisLiveKeys.Channel(live.Fingerprint);
        using var stop = new CancellationTokenSource();
        var renewal = RenewAsync(database, live, live.ResponseId, lease, stop.Token);
        try
        {
            var started = false;
            var next = 0;
            while (true)
            {
                var changed = live.Changed;
                var finished = live.IsFinished;
                var count = live.EventCount;
                var added = false;
                if (!started && live.State != LiveState.Waiting && live.StatusCode != 0)
                {
                    // Each entry is awaited: a write lost while Redis blinks would leave followers with a gap, not an error.
                    await database.StreamAddAsync(log, RedisLiveEntries.Start(live));
                    started = added = true;
                }

                for (; started && next < count; next++)
                {
                    await database.StreamAddAsync(log, RedisLiveEntries.Event(live.Event(next), next == live.UsageEventIndex, next == live.TerminalEventIndex));
                    added = true;
                }

                if (finished)
                {
                    await database.StreamAddAsync(log, live.State == LiveState.Completed ? RedisLiveEntries.End(live) : RedisLiveEntries.Failure(live));
                    await database.KeyExpireAsync(log, resumeWindow > TimeSpan.Zero ? resumeWindow : TimeSpan.FromSeconds(1));
                    await subscriber.PublishAsync(channel, 1);
                    return;
                }

                if (added)
                {
                    _ = subscriber.PublishAsync(channel, 1, CommandFlags.FireAndForget);
                }

                await changed;
            }
        }
        catch (Exception ex)
        {
            // Redis went away: followers on other instances notice the lease expiring; local clients are unaffected.
            redis.ReportFailure(ex);
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
            try
            {
                await RedisLeaderLease.ReleaseAsync(database, live.Fingerprint, live.ResponseId);
            }
            catch (Exception ex)
            {
                redis.ReportFailure(ex);
            }
        }
    }

    private static async Task RenewAsync(IDatabase database, LiveResponse live, string holder, TimeSpan lease, CancellationToken stop)
    {
        var remoteReader = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(lease / 3, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await RedisLeaderLease.RenewAsync(database, live.Fingerprint, holder, lease);
                // Clients on other instances count as readers, so the resume grace does not cut their stream.
                var watchers = (long?)await database.StringGetAsync(RedisLiveKeys.Watchers(live.Fingerprint)) ?? 0;
                if (watchers > 0 != remoteReader)
                {
                    remoteReader = watchers > 0;
                    if (remoteReader)
                    {
                        live.AddSubscriber();
                    }
                    else
                    {
                        live.RemoveSubscriber(TimeSpan.Zero);
                    }
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // One missed renewal is a blip (the lease outlives two): giving up here would let the lease expire
                // while this leader still produces, and its remote followers would drop a live answer.
            }
        }

        if (remoteReader)
        {
            live.RemoveSubscriber(TimeSpan.Zero);
        }
    }
}
