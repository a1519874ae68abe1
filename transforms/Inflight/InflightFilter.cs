namespace AiGateway.Transforms.Inflight;

/// <summary>The filters of <c>GET /api/inflight</c>: each null matches every call.</summary>
/// <param name="Org">Only the calls of this org.</param>
/// <param name="Customer">Only the calls made for this customer.</param>
/// <param name="Route">Only the calls of this route.</param>
public sealed record InflightFilter(string? Org = null, string? Customer = null, string? Route = null)
{
    /// <summary>Whether <paramref name="call"/> passes the filters.</summary>
    public bool Matches(InflightCall call) =>
        (Org is null || call.Org == Org) && (Customer is null || call.Customer == Customer) && (Route is null || call.Route == Route);
}
