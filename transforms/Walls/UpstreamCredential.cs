namespace AiGateway.Transforms.Walls;

/// <summary>
/// The upstream key a call goes with instead of the gateway's shared one: its virtual key's own credential, read from the
/// environment variable the key names (<c>upstream_key_env</c>). Set by <see cref="TenantWallMiddleware"/>; never stored,
/// logged or echoed.
/// </summary>
/// <param name="ApiKey">The credential sent upstream as <c>Authorization: Bearer</c>.</param>
public sealed record UpstreamCredential(string ApiKey)
{
    /// <inheritdoc/>
    public override string ToString() => nameof(UpstreamCredential) + " { ApiKey = *** }";
}
