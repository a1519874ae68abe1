using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Identity;

namespace AiGateway.Transforms.Exchange;

/// <summary>
/// A call to a metered endpoint (images, audio, batch creation): who makes it, for which route, and the model its body
/// names when that could be read without holding an upload (a JSON body; never a multipart one). Its body goes upstream
/// untouched. Set on <see cref="Microsoft.AspNetCore.Http.HttpContext.Features"/> by <see cref="AiExchangeMiddleware"/>.
/// </summary>
public sealed class MeteredExchange : ICallExchange
{
    internal MeteredExchange(AiCall call, MeteredEndpoint endpoint, OrgIdentity identity, string? route, string? model)
    {
        Call = call;
        Endpoint = endpoint;
        Identity = identity;
        Route = route;
        Model = model;
    }

    /// <summary>The call's stamp: endpoint, request id, arrival.</summary>
    public AiCall Call { get; }

    /// <summary>Which metered endpoint is called.</summary>
    public MeteredEndpoint Endpoint { get; }

    /// <summary>The org making the call.</summary>
    public OrgIdentity Identity { get; }

    /// <summary>The app feature named by <c>x-aigw-route</c>, or null.</summary>
    public string? Route { get; }

    /// <summary>The <c>model</c> a JSON body names, or null (none named, or a multipart body, which is not read).</summary>
    public string? Model { get; }
}
