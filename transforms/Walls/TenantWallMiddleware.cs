using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Walls;

/// <summary>
/// Proxy-pipeline step (CONTRACT §10.9), in VirtualKeys mode only, where every org's calls would otherwise share one
/// upstream account: any org could list, read and delete another's files, batches and stored responses, or pull another's
/// stored response into its own answer with <c>previous_response_id</c>.
/// <list type="number">
/// <item>Objects first: an id another org's call created (<see cref="IObjectOwnerStore"/>), named in the path or in an AI
/// call's <c>previous_response_id</c>, <c>conversation</c>, <c>file_id</c> or <c>input_file_id</c>, is 404
/// <c>not_found</c>. With the shared key an AI call may name only its own org's objects (nothing else of that account is
/// its own).</item>
/// <item>A key that names its own credential (<c>upstream_key_env</c>, set in the environment) goes upstream with it on
/// every call (<see cref="UpstreamCredential"/>).</item>
/// <item>Without one, the understood AI endpoints, paths naming only the caller's own objects, and
/// <c>Gateway:Walls:SharedPaths</c> go with the shared key; anything else is 403 <c>endpoint_not_allowed</c>.</item>
/// </list>
/// The stored responses and chat completions an AI call makes are recorded with their owner (<see cref="ObjectOwnerRecorder"/>).
/// </summary>
internal sealed class TenantWallMiddleware(IOptionsMonitor<GatewayOptions> options, IObjectOwnerStore owners, ILogger<ObjectOwnerRecorder> recorderLogger)
{
    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var gateway = options.CurrentValue;
        if (gateway.Auth.Mode != AuthMode.VirtualKeys || context.Features.Get<OrgIdentity>() is not { } identity)
        {
            return next(context);
        }

        var credential = OwnCredential(identity);
        if (credential is not null)
        {
            context.Features.Set(credential);
        }

        if (context.Features.Get<AiExchange>() is { } exchange)
        {
            RecordWhatItStores(context, exchange, identity.OrgId);
            var named = ObjectReferences.InBody(exchange.Json, exchange.Body.Span);
            return named is null
                ? next(context)
                : CheckBodyAsync(context, next, named, identity.OrgId, context.Features.Get<CallSettings>()?.CustomerId, credential is not null);
        }

        var inPath = ObjectReferences.InPath(context.Request.Path.Value);
        if (inPath is not null)
        {
            return CheckPathAsync(context, next, inPath, identity.OrgId, credential is not null, gateway);
        }

        return credential is not null || SharedPath.IsShared(gateway.Walls.EffectiveSharedPaths, context.Request.Path.Value)
            ? next(context)
            : RefuseAsync(context);
    }

    private static UpstreamCredential? OwnCredential(OrgIdentity identity)
    {
        if (identity.Key?.UpstreamKeyEnv is not { } variable)
        {
            return null;
        }

        // Read per call, not cached: a key without a variable (the usual case) never gets here.
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(value) ? null : new UpstreamCredential(value);
    }

    private async Task CheckBodyAsync(HttpContext context, RequestDelegate next, List<string> named, string orgId, string? customer, bool ownCredential)
    {
        foreach (var id in named)
        {
            var owner = await owners.FindAsync(id, context.RequestAborted);
            // On the shared account an object the gateway never recorded is no object of this org's.
            if (owner is null ? !ownCredential : !owner.Admits(orgId, customer, customerKnown: true))
            {
                await NotFoundAsync(context, id);
                return;
            }
        }

        await next(context);
    }

    private async Task CheckPathAsync(HttpContext context, RequestDelegate next, List<string> named, string orgId, bool ownCredential, GatewayOptions gateway)
    {
        var allOwn = true;
        foreach (var id in named)
        {
            var owner = await owners.FindAsync(id, context.RequestAborted);
            // A call off the AI endpoints names no customer, so the org alone decides.
            if (owner is not null && !owner.Admits(orgId, null, customerKnown: false))
            {
                await NotFoundAsync(context, id);
                return;
            }

            allOwn &= owner is not null;
        }

        if (ownCredential || allOwn || SharedPath.IsShared(gateway.Walls.EffectiveSharedPaths, context.Request.Path.Value))
        {
            await next(context);
            return;
        }

        await RefuseAsync(context);
    }

    // A response is stored unless the body says "store": false; a chat completion only when it says "store": true.
    private void RecordWhatItStores(HttpContext context, AiExchange exchange, string orgId)
    {
        if (exchange.Endpoint != AiEndpoint.Responses && exchange.Endpoint != AiEndpoint.ChatCompletions)
        {
            return;
        }

        var stores = exchange.Json.TryGetProperty("store"u8, out var store) ? store.ValueKind == JsonValueKind.True : exchange.Endpoint == AiEndpoint.Responses;
        if (!stores)
        {
            return;
        }

        var kind = exchange.Endpoint == AiEndpoint.Responses ? "response" : "chat.completion";
        var customer = context.Features.Get<CallSettings>()?.CustomerId;
        AnswerSinks.For(context).Add(new ObjectOwnerRecorder(owners, orgId, customer, kind, recorderLogger));
    }

    private static async Task NotFoundAsync(HttpContext context, string id)
    {
        await RequestDrain.BeforeRefusalAsync(context);
        await OpenAiError.WriteAsync(context, StatusCodes.Status404NotFound, "invalid_request_error", "not_found",
            $"No object with id '{(id.Length > 64 ? id[..64] + "…" : id)}' was found for your key.");
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
