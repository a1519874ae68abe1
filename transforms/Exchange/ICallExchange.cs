using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Identity;

namespace AiGateway.Transforms.Exchange;

/// <summary>
/// What the steps that treat every priced call alike read of it — who makes it, for which route, with which model — be it
/// an AI call (<see cref="AiExchange"/>) or a metered one (<see cref="MeteredExchange"/>). Set on the request's features
/// beside the exchange itself by <see cref="AiExchangeMiddleware"/>.
/// </summary>
public interface ICallExchange
{
    /// <summary>The call's stamp: endpoint, request id, arrival.</summary>
    AiCall Call { get; }

    /// <summary>The org making the call.</summary>
    OrgIdentity Identity { get; }

    /// <summary>The app feature named by <c>x-aigw-route</c>, or null.</summary>
    string? Route { get; }

    /// <summary>The <c>model</c> the call is made with, as far as the gateway read it; null when none is named or known.</summary>
    string? Model { get; }
}
