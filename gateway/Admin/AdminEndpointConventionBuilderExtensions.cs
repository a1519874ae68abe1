namespace AiGateway.Admin;

/// <summary>
/// Puts an operator endpoint behind the admin keys (CONTRACT §8, §10.3): each endpoint says whether it reads (either
/// key) or changes (the full key only), so that the rule is what the endpoint declares, never a guess from its method.
/// </summary>
internal static class AdminEndpointConventionBuilderExtensions
{
    /// <summary>A read: answered with <c>Gateway:Admin:Key</c> or <c>Gateway:Admin:ReadOnlyKey</c>.</summary>
    public static TBuilder AdminRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => Admin(builder, AdminAccess.Read);

    /// <summary>A change (or a read the read-only key may not make): answered with <c>Gateway:Admin:Key</c> only.</summary>
    public static TBuilder AdminChange<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => Admin(builder, AdminAccess.Change);

    private static TBuilder Admin<TBuilder>(TBuilder builder, AdminAccess access)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AdminEndpointMetadata(access));
        // Outermost first: the key is checked before anything runs, then a store or audit failure becomes a 503.
        builder.AddEndpointFilter<TBuilder, AdminAuthorizationFilter>();
        builder.AddEndpointFilter<TBuilder, AdminFailureFilter>();
        return builder;
    }
}
