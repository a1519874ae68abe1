using AiGateway.Config;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Configuration;

/// <summary>
/// The <see cref="IOptionsMonitor{GatewayOptions}"/> of the gateway: it serves the <c>Gateway</c> options of the last
/// configuration <see cref="ConfigGuard"/> accepted, so a bad edit neither throws from <see cref="CurrentValue"/> (as
/// the standard monitor does once validation fails) nor applies.
/// </summary>
internal sealed class GuardedGatewayOptionsMonitor(IOptionsFactory<GatewayOptions> factory) : IOptionsMonitor<GatewayOptions>
{
    private readonly Lock _lock = new();
    private List<Action<GatewayOptions, string?>> _listeners = [];
    private ConfigGuard? _guard;
    private GatewayOptions? _beforeGuard;

    /// <inheritdoc/>
    public GatewayOptions CurrentValue => Volatile.Read(ref _guard)?.Current.Gateway ?? (_beforeGuard ??= factory.Create(Options.DefaultName));

    /// <inheritdoc/>
    public GatewayOptions Get(string? name) => string.IsNullOrEmpty(name) ? CurrentValue : factory.Create(name);

    /// <inheritdoc/>
    public IDisposable OnChange(Action<GatewayOptions, string?> listener)
    {
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }

        return new Registration(this, listener);
    }

    /// <summary>From now on, serves the options <paramref name="guard"/> accepted.</summary>
    public void Attach(ConfigGuard guard) => Volatile.Write(ref _guard, guard);

    /// <summary>Tells the listeners that <paramref name="options"/> now apply.</summary>
    public void NotifyChanged(GatewayOptions options)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            listener(options, Options.DefaultName);
        }
    }

    private void Remove(Action<GatewayOptions, string?> listener)
    {
        lock (_lock)
        {
            _listeners = _listeners.Where(l => l != listener).ToList();
        }
    }

    private sealed class Registration(GuardedGatewayOptionsMonitor monitor, Action<GatewayOptions, string?> listener) : IDisposable
    {
        public void Dispose() => monitor.Remove(listener);
    }
}
