using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Inflight;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Modes;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Payloads;
using AiGateway.Transforms.Prices;
using AiGateway.Transforms.Quota;
using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Upstream;
using AiGateway.Transforms.Walls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Pipeline;

/// <summary>Registers every step of the AI gateway's pipeline and what it needs; each folder registers its own.</summary>
public static class AiGatewayProxyServiceCollectionExtensions
{
    /// <summary>Adds the steps in pipeline order (see <see cref="AiGatewayProxyEndpointRouteBuilderExtensions"/>); call it after <c>AddGatewayStorage</c>.</summary>
    public static IServiceCollection AddAiGatewayProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGatewayRedis(configuration);
        services.AddPrices();
        services.AddAiCalls();
        services.AddCostLog();
        services.AddPayloads();
        services.AddGatewayIdentity();
        services.AddTenantWalls();
        services.AddAiExchange();
        services.AddOrgSettings();
        services.AddModes();
        services.AddQuota(configuration);
        services.AddMetering();
        services.AddResponseCache(configuration);
        services.AddDedupe(configuration);
        services.AddInflight(configuration);
        services.AddUpstream();
        return services;
    }
}
