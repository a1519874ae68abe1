using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Keeps every instance's <see cref="NearResponseCache"/> consistent with Redis through the pub/sub channel
/// <c>aigw:cache:near</c>: a message <c>&lt;instance id (32 hex)&gt;&lt;fingerprint&gt;</c> drops that fingerprint's copies,
/// one with no fingerprint drops every copy. Copies are used only while this instance is subscribed, and are all
/// dropped whenever a Redis connection fails or comes back (messages may have been missed meanwhile).
/// </summary>
internal sealed partial class NearCacheInvalidation : IDisposable
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("aigw:cache:near");

    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly RedisConnection _redis;
    private readonly NearResponseCache _near;
    private readonly ILogger _logger;
    private readonly ISubscriber _subscriber;
    private int _subscribed;
    private long _nextSubscribeTicks;

    // Cleared by any failed connection (the subscription's included), set again once both are back: read per hit,
    // so it is a field rather than the multiplexer's own connection checks.
    private int _connected = 1;

    public NearCacheInvalidation(RedisConnection redis, NearResponseCache near, ILogger<NearCacheInvalidation> logger)
    {
        _redis = redis;
        _near = near;
        _logger = logger;
        _subscriber = redis.Multiplexer.GetSubscriber();
        if (!near.Enabled)
        {
            return;
        }

        _nextSubscribeTicks = Environment.TickCount64 + 5000;
        redis.Multiplexer.ConnectionFailed += OnConnectionFailed;
        redis.Multiplexer.ConnectionRestored += OnConnectionRestored;
        _ = SubscribeAsync();
    }

    /// <summary>Whether near copies may be used now: subscribed, and every Redis connection up.</summary>
    public bool Listening => Volatile.Read(ref _subscribed) == 1 ? Volatile.Read(ref _connected) == 1 || Reconnected() : RetrySubscribe();

    /// <summary>Tells every other instance to drop its copy of <paramref name="fingerprint"/>, or every copy if null.</summary>
    public Task<long> PublishAsync(IDatabaseAsync database, string? fingerprint) =>
        database.PublishAsync(Channel, fingerprint is null ? _instanceId : _instanceId + fingerprint);

    /// <inheritdoc/>
    public void Dispose()
    {
        _redis.Multiplexer.ConnectionFailed -= OnConnectionFailed;
        _redis.Multiplexer.ConnectionRestored -= OnConnectionRestored;
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await _subscriber.SubscribeAsync(Channel, OnMessage);
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Retried when the connection comes back; until then no near copies are used.
            Log.SubscribeFailed(_logger, ex.Message);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs args)
    {
        Volatile.Write(ref _connected, 0);
        _near.Clear();
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs args) => _near.Clear();

    private bool RetrySubscribe()
    {
        // Not subscribed (Redis was down when this instance started): try again now and then, never per request.
        var now = Environment.TickCount64;
        var next = Volatile.Read(ref _nextSubscribeTicks);
        if (now >= next && _redis.IsConnected && Interlocked.CompareExchange(ref _nextSubscribeTicks, now + 5000, next) == next)
        {
            _ = SubscribeAsync();
        }

        return false;
    }

    private bool Reconnected()
    {
        // Copies were all dropped when the connection failed and none were kept since, so using them again only
        // needs both connections back; checked here rather than trusting the order of the restore events.
        if (!_redis.IsConnected || !_subscriber.IsConnected(Channel))
        {
            return false;
        }

        Volatile.Write(ref _connected, 1);
        return true;
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        var text = (string?)message;
        if (text is null || text.Length < _instanceId.Length || text.StartsWith(_instanceId, StringComparison.Ordinal))
        {
            // This instance's own message: it already updated its copies.
            return;
        }

        if (text.Length == _instanceId.Length)
        {
            _near.Clear();
        }
        else
        {
            _near.Invalidate(text[_instanceId.Length..]);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, EventName = "NearCacheSubscribeFailed", Level = LogLevel.Warning, Message = "Cache invalidation channel not subscribed ({Reason}); near copies are off until Redis reconnects.")]
        public static partial void SubscribeFailed(ILogger logger, string reason);
    }
}
