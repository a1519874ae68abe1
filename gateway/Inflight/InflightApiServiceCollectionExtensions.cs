namespace AiGateway.Inflight;

/// <summary>Registers what the in-flight API needs beyond the pipeline's own in-flight view.</summary>
public static class InflightApiServiceCollectionExtensions
{
    /// <summary>Adds the app-key check of <c>GET /api/inflight/{id}</c> and <c>POST /api/inflight/{id}/release</c>.</summary>
    public static IServiceCollection AddInflightApi(this IServiceCollection services) => services.AddSingleton<AppCaller>();
}
