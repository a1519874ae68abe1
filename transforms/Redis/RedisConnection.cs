using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AiGateway.Transforms.Redis;

/// <summary>
/// The one shared <see cref="ConnectionMultiplexer"/>, set to fail fast: no command backlog while disconnected,
/// short timeouts, reconnection in the background. After a failure Redis is skipped for a few seconds, so a dead
/// or slow Redis costs a request microseconds, not a timeout.
/// </summary>
public sealed partial class RedisConnection : IDisposable
{
    private static readonly long SkipAfterFailure = TimeSpan.FromSeconds(5).Ticks;
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ILogger<RedisConnection> _logger;
    private long _skipUntilTicks;

    /// <summary>Connects (in the background if Redis is not up yet) to <paramref name="configuration"/>.</summary>
    public RedisConnection(string configuration, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        options.ClientName ??= "aigateway";
        _multiplexer = ConnectionMultiplexer.Connect(options);
    }

    /// <summary>Whether Redis is connected now.</summary>
    public bool IsConnected => _multiplexer.IsConnected;

    /// <summary>The database, or null while Redis is down or recently failed (callers then work without it).</summary>
    public IDatabase? Database =>
        _multiplexer.IsConnected && DateTime.UtcNow.Ticks >= Volatile.Read(ref _skipUntilTicks) ? _multiplexer.GetDatabase() : null;

    /// <summary>The multiplexer, for pub/sub.</summary>
    public ConnectionMultiplexer Multiplexer => _multiplexer;

    /// <summary>Records a failed command: Redis is skipped for a few seconds.</summary>
    public void ReportFailure(Exception exception)
    {
        var now = DateTime.UtcNow.Ticks;
        var previous = Interlocked.Exchange(ref _skipUntilTicks, now + SkipAfterFailure);
        if (previous < now)
        {
            Log.Skipping(_logger, exception.Message);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _multiplexer.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, EventName = "RedisSkipped", Level = LogLevel.Warning, Message = "Redis failed ({Reason}); working without it for 5 s.")]
        public static partial void Skipping(ILogger logger, string reason);
    }
}
