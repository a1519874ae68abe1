namespace AiGateway.Admin;

/// <summary>The endpoint metadata that says which admin key an operator endpoint takes; an endpoint without it takes the full key only.</summary>
/// <param name="Access">What the endpoint does.</param>
internal sealed record AdminEndpointMetadata(AdminAccess Access);
