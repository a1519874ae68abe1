using AiGateway.Transforms.Exchange;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace AiGateway.Transforms.Upstream;

/// <summary>Attaches the <see cref="AiExchange"/> of an understood call to its upstream request, so the forwarder client can resend its body.</summary>
internal sealed class UpstreamExchangeTransformProvider : ITransformProvider
{
    /// <inheritdoc/>
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    /// <inheritdoc/>
    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    /// <inheritdoc/>
    public void Apply(TransformBuilderContext context) => context.AddRequestTransform(static transform =>
    {
        if (transform.HttpContext.Features.Get<AiExchange>() is { } exchange)
        {
            transform.ProxyRequest.Options.Set(UpstreamRequestOptions.Exchange, exchange);
        }

        return ValueTask.CompletedTask;
    });
}
