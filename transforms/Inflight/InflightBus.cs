using System.Collections.Concurrent;
using System.Text.Json;
using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AiGateway.Transforms.Inflight;

/// <summary>
/// Asks every gateway instance sharing the Redis about its calls in flight, and answers their questions. Nothing of it
/// runs per call: the calls stay in each instance's memory, and an instance is asked only when someone looks (the
/// in-flight API, an app's release). The instances register in one sorted set, <c>aigw:instances</c> (member: instance
/// id, score: the time of its last heartbeat), so an asker knows whose replies to wait for; questions go out on the
/// channel <c>aigw:inflight</c>, replies come back on <c>aigw:inflight:reply:&lt;instance&gt;</c>. Every command names one key
/// (or none) and no script is used, so it runs the same on a Redis Cluster: the set lives in one slot, and Redis
/// Cluster carries a PUBLISH to every node, so each instance hears a question whichever master its subscription is on.
/// </summary>
internal sealed class InflightBus : IHostedService, IAsyncDisposable
{
    /// <summary>The set of live instances.</summary>
    public static readonly RedisKey Instances = "aigw:instances";

    /// <summary>The channel of questions.</summary>
    public static readonly RedisChannel Questions = RedisChannel.Literal("aigw:inflight");

    // An instance heartbeats every 5 s and is asked while its last heartbeat is under 15 s old: it may miss two.
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Alive = TimeSpan.FromSeconds(15);

    // How long an asker waits for the replies of instances that are registered but silent (they died without leaving).
    private static readonly TimeSpan ReplyWait = TimeSpan.FromSeconds(2);

    private readonly RedisConnection _redis;
    private readonly GatewayInstance _instance;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<InflightAsk, Task<InflightReply>> _answer;
    private Task? _heartbeat;
    private bool _subscribed;

    /// <summary>The bus of this instance on <paramref name="redis"/>; <paramref name="answer"/> answers other instances' questions from this one's calls.</summary>
    public InflightBus(RedisConnection redis, GatewayInstance instance, Func<InflightAsk, Task<InflightReply>> answer)
    {
        _redis = redis;
        _instance = instance;
        _answer = answer;
    }

    private RedisChannel Replies => RedisChannel.Literal("aigw:inflight:reply:" + _instance.Id);

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await BeatAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis is not up yet: the next heartbeat subscribes and registers this instance once it is.
            _redis.ReportFailure(ex);
        }

        _heartbeat = BeatForeverAsync();
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_heartbeat is not null)
        {
            await _heartbeat;
        }

        try
        {
            await _redis.Multiplexer.GetDatabase().SortedSetRemoveAsync(Instances, _instance.Id);
            var subscriber = _redis.Multiplexer.GetSubscriber();
            await subscriber.UnsubscribeAsync(Questions);
            await subscriber.UnsubscribeAsync(Replies);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Its heartbeat simply grows old: the others stop waiting for it after 15 s.
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Asks every other live instance; completes with their replies once all have replied, once one reply satisfies
    /// <paramref name="enough"/>, or after the reply wait. <paramref name="missing"/> names the instances that did not reply.
    /// </summary>
    public async Task<(IReadOnlyList<InflightReply> Replies, IReadOnlyList<string> Missing)> AskOthersAsync(InflightAsk ask, Func<InflightReply, bool>? enough, CancellationToken cancellationToken)
    {
        if (_redis.Database is not { } database)
        {
            return ([], []);
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var members = await database.SortedSetRangeByScoreAsync(Instances, now - Alive.TotalMilliseconds, double.PositiveInfinity);
        var others = members.Select(m => (string)m!).Where(id => id != _instance.Id).ToHashSet(StringComparer.Ordinal);
        if (others.Count == 0)
        {
            return ([], []);
        }

        ask = ask with { Ask = Guid.NewGuid().ToString("N"), From = _instance.Id };
        var pending = new Pending(others, enough);
        _pending[ask.Ask] = pending;
        try
        {
            await database.PublishAsync(Questions, JsonSerializer.Serialize(ask, InflightJsonContext.Default.InflightAsk));
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(ReplyWait);
            try
            {
                await pending.Done.Task.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Some instance is registered but did not reply: report what came.
            }

            return pending.Result();
        }
        finally
        {
            _pending.TryRemove(ask.Ask, out _);
        }
    }

    // Answered off the subscription's own thread, which delivers every message of the connection.
    private void OnQuestion(RedisValue message) => _ = Task.Run(() => OnQuestionAsync(message));

    private async Task OnQuestionAsync(RedisValue message)
    {
        try
        {
            var ask = JsonSerializer.Deserialize((string)message!, InflightJsonContext.Default.InflightAsk);
            if (ask is null || ask.From == _instance.Id)
            {
                return;
            }

            var reply = await _answer(ask) with { Ask = ask.Ask, Instance = _instance.Id };
            await _redis.Multiplexer.GetSubscriber().PublishAsync(RedisChannel.Literal("aigw:inflight:reply:" + ask.From),
                JsonSerializer.Serialize(reply, InflightJsonContext.Default.InflightReply));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            _redis.ReportFailure(ex);
        }
    }

    private void OnReply(RedisValue message)
    {
        try
        {
            var reply = JsonSerializer.Deserialize((string)message!, InflightJsonContext.Default.InflightReply);
            if (reply is not null && _pending.TryGetValue(reply.Ask, out var pending))
            {
                pending.Add(reply);
            }
        }
        catch (JsonException)
        {
            // Not one of ours.
        }
    }

    private async Task BeatForeverAsync()
    {
        using var timer = new PeriodicTimer(Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await BeatAsync();
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    _redis.ReportFailure(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    // Subscribes (once: the connection restores subscriptions after a blip), registers this instance as alive now, and
    // drops the instances whose heartbeat stopped long ago.
    private async Task BeatAsync()
    {
        if (!_subscribed)
        {
            var subscriber = _redis.Multiplexer.GetSubscriber();
            await subscriber.SubscribeAsync(Questions, (_, message) => OnQuestion(message));
            await subscriber.SubscribeAsync(Replies, (_, message) => OnReply(message));
            _subscribed = true;
        }

        var database = _redis.Multiplexer.GetDatabase();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await database.SortedSetAddAsync(Instances, _instance.Id, now);
        await database.SortedSetRemoveRangeByScoreAsync(Instances, double.NegativeInfinity, now - (4 * Alive.TotalMilliseconds));
    }

    /// <summary>The replies to one question, and whose are still awaited.</summary>
    private sealed class Pending(HashSet<string> awaited, Func<InflightReply, bool>? enough)
    {
        private readonly List<InflightReply> _replies = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(InflightReply reply)
        {
            lock (_replies)
            {
                if (!awaited.Remove(reply.Instance))
                {
                    return;
                }

                _replies.Add(reply);
                if (awaited.Count == 0 || enough?.Invoke(reply) == true)
                {
                    Done.TrySetResult();
                }
            }
        }

        public (IReadOnlyList<InflightReply> Replies, IReadOnlyList<string> Missing) Result()
        {
            lock (_replies)
            {
                return (_replies.ToList(), awaited.Order(StringComparer.Ordinal).ToList());
            }
        }
    }
}
