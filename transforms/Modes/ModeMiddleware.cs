using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Quota;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Modes;

/// <summary>
/// Proxy-pipeline step after the settings and before the quota step: picks the call's mode (<see cref="ModeChoice"/>, a
/// request feature) and rewrites the body's <c>model</c> for it — before the fingerprint is taken, so a mode-rewritten
/// call and the same call naming that model share a cache entry. <c>auto</c> reads the org's budget share.
/// </summary>
internal sealed class ModeMiddleware(ModeSelector selector, BudgetMeter budgets)
{
    /// <summary>The request header choosing a mode, and the response header naming the mode applied.</summary>
    public const string ModeHeader = "x-aigw-mode";

    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var exchange = context.Features.Get<AiExchange>();
        if (exchange is null)
        {
            return next(context);
        }

        var settings = context.Features.Get<CallSettings>() ?? CallSettings.Defaults;
        var (mode, error) = selector.Requested(context.Request.Headers[ModeHeader].ToString(), exchange.Route, settings);
        if (error is not null)
        {
            return OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_mode", error, ModeHeader);
        }

        if (mode == ModeName.Auto && (BudgetShare.HasBudget(settings.Org) || settings.Customer is { MonthlyTokenBudget: not null } or { MonthlyUsdBudget: not null }))
        {
            return InvokeWithBudgetShareAsync(context, next, exchange, settings);
        }

        // Without a budget to read nothing here waits: the next step's task is handed on without a state machine of our own.
        Apply(context, exchange, mode, remaining: null);
        return next(context);
    }

    // AUTO reads the same counts as the budgets: the lower of the org's share and, for a customer, its own (its budget
    // falling back to the org's, against its own spend).
    private async Task InvokeWithBudgetShareAsync(HttpContext context, RequestDelegate next, AiExchange exchange, CallSettings settings)
    {
        var at = exchange.Call.ReceivedAt;
        var orgId = exchange.Identity.OrgId;
        var share = BudgetShare.Remaining(settings.Org, await budgets.SpentAsync(SpendAccount.Org(orgId), at, context.RequestAborted));
        if (settings.CustomerId is { } customer)
        {
            var tokens = settings.Customer?.MonthlyTokenBudget ?? settings.Org?.MonthlyTokenBudget;
            var usd = settings.Customer?.MonthlyUsdBudget ?? settings.Org?.MonthlyUsdBudget;
            var spent = await budgets.SpentAsync(SpendAccount.Customer(orgId, customer), at, context.RequestAborted);
            if (BudgetShare.Remaining(tokens, usd, spent) is { } customerShare)
            {
                share = share is { } orgShare ? Math.Min(orgShare, customerShare) : customerShare;
            }
        }

        Apply(context, exchange, ModeName.Auto, share);
        await next(context);
    }

    /// <summary>Rewrites the body's model for <paramref name="mode"/> and names the mode and model in the response headers.</summary>
    private void Apply(HttpContext context, AiExchange exchange, string? mode, decimal? remaining)
    {
        if (mode is not null && exchange.Endpoint.HasSwappableModel)
        {
            var choice = selector.Resolve(mode, remaining);
            if (!string.Equals(exchange.Model, choice.Model, StringComparison.Ordinal))
            {
                exchange.RewriteBody(ModelRewrite.WithModel(exchange.Body.Span, exchange.Json, choice.Model));
            }

            context.Response.Headers[ModeHeader] = choice.Label;
            context.Features.Set(choice);
        }

        // Set before YARP copies the upstream's headers, which keeps them.
        if (exchange.Model is { } model)
        {
            context.Response.Headers[UpstreamHeaders.Model] = model;
        }
    }
}
