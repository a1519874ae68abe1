using AiGateway.Config;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Walls;

/// <summary>
/// Proxy-pipeline step (CONTRACT §10.9), in VirtualKeys mode only: every org's calls would otherwise share one upstream
/// account, where any org could list, read and delete another's files, batches and stored responses. A key that names
/// its own credential (<c>upstream_key_env</c>, set in the environment) goes upstream with it on every call
/// (<see cref="UpstreamCredential"/>). Without one, the understood AI endpoints (walled by the gateway itself: the cache,
/// dedupe and resume are per org) and the paths of <c>Gateway:Walls:SharedPaths</c> go with the shared key; anything
/// else is 403 <c>endpoint_not_allowed</c> before it goes upstream.
/// </summary>
internal sealed class TenantWallMiddleware(IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var gateway = options.CurrentValue;
        if (gateway.Auth.Mode != AuthMode.VirtualKeys)
        {
            return next(context);
        }

        if (context.Features.Get<OrgIdentity>()?.Key?.UpstreamKeyEnv is { } variable)
        {
            // Read per call, not cached: an operator who rotates the project key restarts with the new value anyway, and
            // a key without a variable (the usual case) never gets here.
            var credential = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(credential))
            {
                context.Features.Set(new UpstreamCredential(credential));
                return next(context);
            }
        }

        if (context.Features.Get<AiCall>() is not null || SharedPath.IsShared(gateway.Walls.EffectiveSharedPaths, context.Request.Path.Value))
        {
            return next(context);
        }

        return RefuseAsync(context);
    }

    private static async Task RefuseAsync(HttpContext context)
    {
        await RequestDrain.BeforeRefusalAsync(context);
        await OpenAiError.WriteAsync(context, StatusCodes.Status403Forbidden, "invalid_request_error", "endpoint_not_allowed",
            "This gateway's upstream account is shared by every org: this endpoint needs your key's own upstream credential "
            + "(upstream_key_env, set in the gateway's environment), or a path in Gateway:Walls:SharedPaths. The AI endpoints "
            + "(chat completions, completions, responses, embeddings) need neither.");
    }
}
