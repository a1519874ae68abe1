using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace AiGateway.Transforms.Configuration;

/// <summary>
/// Holds the last good configuration. At start-up a configuration that fails <see cref="GatewayConfigCheck"/> stops the
/// gateway with every error; on a hot reload it is refused as a whole (the <c>ReverseProxy</c> and <c>Gateway</c>
/// sections together), logged, and the last good configuration keeps serving (CONTRACT §1).
/// </summary>
internal sealed partial class ConfigGuard : IDisposable
{
    private readonly GatewayConfigCheck _check;
    private readonly GuardedGatewayOptionsMonitor _monitor;
    private readonly ILogger<ConfigGuard> _logger;
    private readonly Lock _reloadLock = new();
    private readonly IDisposable _subscription;
    private ValidatedConfig _current;
    private int _accepted;
    private int _refused;

    /// <summary>Checks the configuration as it is now; throws <see cref="GatewayConfigurationException"/> when it is invalid.</summary>
    public ConfigGuard(IConfiguration configuration, GatewayConfigCheck check, GuardedGatewayOptionsMonitor monitor, ILogger<ConfigGuard> logger)
    {
        _check = check;
        _monitor = monitor;
        _logger = logger;
        var (config, errors) = check.RunAsync().GetAwaiter().GetResult();
        _current = config ?? throw new GatewayConfigurationException(errors);
        monitor.Attach(this);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    /// <summary>The configuration being served.</summary>
    public ValidatedConfig Current => Volatile.Read(ref _current);

    /// <summary>How many reloads were applied since start-up.</summary>
    public int AcceptedReloads => Volatile.Read(ref _accepted);

    /// <summary>How many reloads were refused since start-up.</summary>
    public int RefusedReloads => Volatile.Read(ref _refused);

    /// <summary>The errors of the last refused reload, or empty.</summary>
    public IReadOnlyList<string> LastRefusal { get; private set; } = [];

    /// <inheritdoc/>
    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        lock (_reloadLock)
        {
            var (config, errors) = _check.RunAsync().GetAwaiter().GetResult();
            if (config is null)
            {
                LastRefusal = errors;
                Interlocked.Increment(ref _refused);
                Log.Refused(_logger, GatewayConfigurationException.Describe(errors));
                return;
            }

            var previous = _current;
            Volatile.Write(ref _current, config);
            Interlocked.Increment(ref _accepted);
            previous.MarkReplaced();
            try
            {
                _monitor.NotifyChanged(config.Gateway);
            }
            catch (Exception ex)
            {
                Log.ListenerFailed(_logger, ex);
            }

            Log.Applied(_logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, EventName = "ConfigRefused", Level = LogLevel.Error,
            Message = "A configuration change was refused; the last good configuration keeps serving. {Errors}")]
        public static partial void Refused(ILogger logger, string errors);

        [LoggerMessage(EventId = 8002, EventName = "ConfigApplied", Level = LogLevel.Information, Message = "A configuration change passed its checks and applies.")]
        public static partial void Applied(ILogger logger);

        [LoggerMessage(EventId = 8003, EventName = "ConfigListenerFailed", Level = LogLevel.Error, Message = "A listener of the Gateway options failed on a configuration change.")]
        public static partial void ListenerFailed(ILogger logger, Exception exception);
    }
}
