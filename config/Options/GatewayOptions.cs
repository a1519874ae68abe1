namespace AiGateway.Config;

/// <summary>The <c>Gateway</c> configuration section: everything that makes the proxy an AI gateway.</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Largest JSON body accepted on an understood endpoint.</summary>
    /// <value>Bytes, 1 KiB to 1 GiB. Default 32 MiB; a larger body gets 413.</value>
    public long MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Folder of the embedded store and of spilled log rows.</summary>
    /// <value>A path, relative to the working directory. Default <c>./data</c>.</value>
    public string DataDir { get; set; } = "./data";

    /// <summary>How clients are identified and which key goes upstream.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>The upstream OpenAI-compatible API.</summary>
    public UpstreamOptions Upstream { get; set; } = new();

    /// <summary>Access to the operator surfaces.</summary>
    public AdminOptions Admin { get; set; } = new();

    /// <summary>The performance and cost log writer.</summary>
    public LogOptions Log { get; set; } = new();

    /// <summary>The response cache.</summary>
    public CacheOptions Cache { get; set; } = new();

    /// <summary>In-flight dedupe.</summary>
    public DedupeOptions Dedupe { get; set; } = new();

    /// <summary>Resumable streams.</summary>
    public ResumeOptions Resume { get; set; } = new();

    /// <summary>Streams to clients: keepalives while the upstream is silent.</summary>
    public StreamingOptions Streaming { get; set; } = new();

    /// <summary>Browser use from pages on other origins.</summary>
    public CorsOptions Cors { get; set; } = new();

    /// <summary>The models of the <c>cheap</c> and <c>smart</c> modes.</summary>
    public ModesOptions Modes { get; set; } = new();

    /// <summary>How the <c>auto</c> mode picks a mode from the org's budget.</summary>
    public AutoOptions Auto { get; set; } = new();

    /// <summary>How rate limits and budgets estimate a call (<c>Gateway:Limits</c>).</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>What orgs reach with the shared upstream key besides the AI endpoints (<c>Gateway:Walls</c>).</summary>
    public WallsOptions Walls { get; set; } = new();

    /// <summary>Opt-in payload logging: size cap, retention, redaction (<c>Gateway:Payloads</c>).</summary>
    public PayloadsOptions Payloads { get; set; } = new();

    /// <summary>Per-route policies by route name (the <c>x-aigw-route</c> header); unknown names use the defaults.</summary>
    public Dictionary<string, RoutePolicyOptions> Routes { get; set; } = new(StringComparer.Ordinal);
}
