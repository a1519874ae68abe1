namespace AiGateway.Config;

/// <summary>The <c>Gateway:Walls</c> section: what orgs may reach with the gateway's shared upstream key (VirtualKeys mode).</summary>
public sealed class WallsOptions
{
    /// <summary>The shared paths when <see cref="SharedPaths"/> is not configured: the model list the SDKs read at start-up.</summary>
    public static readonly IReadOnlyList<string> DefaultSharedPaths = ["/v1/models", "/v1/models/*"];

    /// <summary>
    /// Paths besides the understood AI endpoints that any key may call with the gateway's own upstream key; every other
    /// path needs the key's own upstream credential (<c>upstream_key_env</c>), else 403 <c>endpoint_not_allowed</c>.
    /// </summary>
    /// <value>Paths starting with <c>/</c>; a last segment <c>*</c> stands for any one segment. Default <c>["/v1/models", "/v1/models/*"]</c>; an empty list shares nothing.</value>
    public string[]? SharedPaths { get; set; }

    /// <summary>The effective shared paths.</summary>
    public IReadOnlyList<string> EffectiveSharedPaths => SharedPaths ?? DefaultSharedPaths;
}
