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
    private int _subscribed;

    public NearCacheInvalidation(RedisConnection redis, NearResponseCache near, ILogger<NearCacheInvalidation> logger)
    {
        _redis = redis;
        _near = near;
        _logger = logger;
        if (!near.Enabled)
        {
            return;
        }

        redis.Multiplexer.ConnectionFailed += OnConnectionChanged;
        redis.Multiplexer.ConnectionRestored += OnConnectionChanged;
        _ = SubscribeAsync();
    }

    /// <summary>Whether near copies may be used now: subscribed, and Redis connected.</summary>
    public bool Listening => Volatile.Read(ref _subscribed) == 1 && _redis.IsConnected;

    /// <summary>Tells every other instance to drop its copy of <paramref name="fingerprint"/>, or every copy if null.</summary>
    public Task<long> PublishAsync(IDatabaseAsync database, string? fingerprint) =>
        database.PublishAsync(Channel, fingerprint is null ? _instanceId : _instanceId + fingerprint);

    /// <inheritdoc/>
    public void Dispose()
    {
        _redis.Multiplexer.ConnectionFailed -= OnConnectionChanged;
        _redis.Multiplexer.ConnectionRestored -= OnConnectionChanged;
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await _redis.Multiplexer.GetSubscriber().SubscribeAsync(Channel, OnMessage);
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Retried when the connection comes back; until then no near copies are used.
            Log.SubscribeFailed(_logger, ex.Message);
        }
    }

    private void OnConnectionChanged(object? sender, ConnectionFailedEventArgs args)
    {
        _near.Clear();
        if (Volatile.Read(ref _subscribed) == 0 && _redis.IsConnected)
        {
            _ = SubscribeAsync();
        }
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
