using System.Text;
using AiGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// Two embedded gateways in front of one <see cref="FuzzUpstream"/>, started once for the fuzz suite: Passthrough (the
/// default mode, client keys go upstream) and VirtualKeys with admin keys (issued keys, the admin API behind a key).
/// </summary>
public class FuzzGateways : IAsyncLifetime
{
    /// <summary>The body limit the fuzz gateways run with: small, so bodies past it and just under it are cheap to send.</summary>
    public const int MaxRequestBytes = 262_144;

    private TestGateway? _passthrough;
    private TestGateway? _virtualKeys;

    internal FuzzUpstream Upstream { get; } = new();

    /// <summary>A client that sends header values as Latin-1 bytes (HttpClient refuses anything but ASCII otherwise), never follows redirects and never decompresses.</summary>
    internal HttpClient Client { get; private set; } = null!;

    internal FuzzTarget Passthrough { get; private set; } = null!;

    internal FuzzTarget VirtualKeys { get; private set; } = null!;

    internal FuzzTarget Admin { get; private set; } = null!;

    internal FuzzTarget this[string name] => name switch
    {
        "passthrough" => Passthrough,
        "virtualkeys" => VirtualKeys,
        _ => Admin,
    };

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var limit = new Dictionary<string, string> { ["Gateway:MaxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (key, value) in ExtraSettings)
        {
            limit[key] = value;
        }

        _passthrough = await TestGateway.StartAsync(Upstream.Url, limit);
        var settings = AdminClient.Settings();
        foreach (var (key, value) in limit)
        {
            settings[key] = value;
        }

        _virtualKeys = await TestGateway.StartAsync(Upstream.Url, settings);
        var issued = await new AdminClient(_virtualKeys, AdminClient.AdminKey).CreateKeyAsync("""{"org":"org-fuzz","name":"fuzz","may_name_customers":true}""");
        Passthrough = new FuzzTarget("passthrough", _passthrough, "sk-fuzz-client", null, Capture(_passthrough));
        VirtualKeys = new FuzzTarget("virtualkeys", _virtualKeys, issued.GetProperty("key").GetString()!, "Bearer sk-upstream-test", Capture(_virtualKeys));
        Admin = VirtualKeys with { Name = "admin", Key = AdminClient.AdminKey };
        Client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        Upstream.Drain();
        Upstream.DrainOwnFailures();
    }

    /// <summary>Settings both gateways get on top of the body limit (none: the embedded stores).</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings { get; } = new Dictionary<string, string>();

    private static LogCapture Capture(TestGateway gateway)
    {
        var logs = new LogCapture();
        gateway.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        return logs;
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_passthrough is not null)
        {
            await _passthrough.DisposeAsync();
        }

        if (_virtualKeys is not null)
        {
            await _virtualKeys.DisposeAsync();
        }

        Upstream.Dispose();
    }
}
