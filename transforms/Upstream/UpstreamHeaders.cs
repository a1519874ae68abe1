namespace AiGateway.Transforms.Upstream;

/// <summary>The response headers that say which model answered (CONTRACT §5).</summary>
public static class UpstreamHeaders
{
    /// <summary>The model actually sent upstream.</summary>
    public const string Model = "x-aigw-model";

    /// <summary>The fallback model that answered; absent when none did.</summary>
    public const string FallbackModel = "x-aigw-fallback-model";
}
