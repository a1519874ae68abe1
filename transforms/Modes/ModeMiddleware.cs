using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Quota;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Modes;

/// <summary>
/// Proxy-pipeline step before the cache: puts the org's settings on the call, refuses it with 429
/// <c>budget_exceeded</c> when a hard budget is used up, and rewrites the body's <c>model</c> for the call's mode —
/// before the fingerprint is taken, so a mode-rewritten call and the same call naming that model share a cache entry.
/// </summary>
internal sealed class ModeMiddleware(ModeSelector selector, OrgSettingsSnapshot settings, BudgetMeter budgets, TimeProvider time)
{
    /// <summary>The request header choosing a mode, and the response header naming the mode applied.</summary>
    public const string ModeHeader = "x-aigw-mode";

    /// <summary>The response header naming the model sent upstream.</summary>
    public const string ModelHeader = "x-aigw-model";

    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var exchange = context.Features.Get<AiExchange>();
        if (exchange is null)
        {
            return next(context);
        }

        var org = settings.Find(exchange.Identity.OrgId);
        exchange.OrgSettings = org;
        var (mode, error) = selector.Requested(context.Request.Headers[ModeHeader].ToString(), exchange.Route, org);
        if (error is not null)
        {
            return OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_mode", error, ModeHeader);
        }

        if (org is not null && BudgetShare.HasBudget(org) && (org.HardBudget || mode == ModeName.Auto))
        {
            return InvokeWithinBudgetAsync(context, next, exchange, org, mode);
        }

        // Without a budget to read nothing here waits: the next step's task is handed on without a state machine of our own.
        Apply(context, exchange, mode, remaining: null);
        return next(context);
    }

    private async Task InvokeWithinBudgetAsync(HttpContext context, RequestDelegate next, AiExchange exchange, OrgAiSettings org, string? mode)
    {
        var spent = await budgets.SpentAsync(org.OrgId, exchange.Log?.Ts ?? time.GetUtcNow(), context.RequestAborted);
        var remaining = BudgetShare.Remaining(org, spent);
        if (org.HardBudget && remaining <= 0)
        {
            // Retrying cannot help until the month ends or the budget is raised; the official SDKs honour this header.
            context.Response.Headers["x-should-retry"] = "false";
            await OpenAiError.WriteAsync(context, StatusCodes.Status429TooManyRequests, "insufficient_quota", "budget_exceeded",
                "This organization's monthly budget is used up and it has a hard budget: calls are refused until the next month (UTC) or until the budget is raised.");
            return;
        }

        Apply(context, exchange, mode, remaining);
        await next(context);
    }

    /// <summary>Rewrites the body's model for <paramref name="mode"/> and names the mode and model in the response headers.</summary>
    private void Apply(HttpContext context, AiExchange exchange, string? mode, decimal? remaining)
    {
        // Embedding models are not chat models: a mode never rewrites them.
        if (mode is not null && exchange.Endpoint != AiEndpoint.Embeddings)
        {
            var choice = selector.Resolve(mode, remaining);
            if (!string.Equals(exchange.Model, choice.Model, StringComparison.Ordinal))
            {
                exchange.ReplaceBody(ModelRewrite.WithModel(exchange.Body.Span, exchange.Json, choice.Model));
            }

            context.Response.Headers[ModeHeader] = choice.Label;
            if (exchange.Log is { } log)
            {
                log.Mode = choice.Label;
            }
        }

        // Set before YARP copies the upstream's headers, which keeps them.
        if (exchange.Model is { } model)
        {
            context.Response.Headers[ModelHeader] = model;
        }
    }
}
