namespace AiGateway.Transforms.Relay;

/// <summary>
/// The call that leads a <see cref="LiveResponse"/>, as the in-flight view names it (CONTRACT §10.6): set by the dedupe
/// step on the answer it leads; null on a local copy of another instance's answer (that instance lists it).
/// </summary>
/// <param name="RequestId">The leader's request id (<c>x-aigw-request-id</c>): the call's id in the in-flight view.</param>
/// <param name="OrgId">The org that made the call.</param>
/// <param name="CustomerId">The customer it was made for, or null.</param>
/// <param name="Route">The app feature (<c>x-aigw-route</c>), or null.</param>
/// <param name="Model">The model sent upstream, or null.</param>
/// <param name="StartedAt">When the call arrived.</param>
public sealed record LiveCall(Guid RequestId, string OrgId, string? CustomerId, string? Route, string? Model, DateTimeOffset StartedAt);
