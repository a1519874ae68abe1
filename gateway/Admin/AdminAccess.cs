namespace AiGateway.Admin;

/// <summary>Which admin key an operator endpoint takes, declared on the endpoint itself (<see cref="AdminEndpointConventionBuilderExtensions"/>).</summary>
internal enum AdminAccess
{
    /// <summary>A read: <c>Gateway:Admin:Key</c> or <c>Gateway:Admin:ReadOnlyKey</c>.</summary>
    Read,

    /// <summary>A change, or a read of what the read-only key may not see (payloads): <c>Gateway:Admin:Key</c> only.</summary>
    Change,
}
