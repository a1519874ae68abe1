using System.Globalization;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Orgs;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// The quota step, after identity, settings and the mode rewrite and before anything that costs (CONTRACT §10.3, §10.4):
/// refuses a model the key may not call (403 <c>model_not_allowed</c>), then claims the call's share of every limit and
/// enforced budget at once (429 <c>rate_limit_exceeded</c> with <c>Retry-After</c>, or 429 <c>budget_exceeded</c>), and
/// names the tightest limit in OpenAI's <c>x-ratelimit-*</c> headers. When the call ends it settles: tokens and budget
/// reservations are corrected to the real usage (none for a hit or a follower), concurrency slots given back, and the
/// spend counted against the org, the customer and the key.
/// </summary>
internal sealed class QuotaMiddleware(IQuotaLedger ledger, QuotaPlanner planner, UsageMeter meter)
{
    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<ICallExchange>() is not { } call)
        {
            return next(context);
        }

        // A key kept to some models makes no calls with others, images and audio included. An upload names its model
        // where the gateway does not read it, so such a key is refused it.
        if (!Allows(call.Identity, call.Model))
        {
            return RefuseModelAsync(context, call.Identity, call.Model);
        }

        var ticket = planner.Plan(call, context.Features.Get<CallSettings>() ?? CallSettings.Defaults);

        return ticket.Levels.Length == 0 ? CountAsync(context, next, ticket) : AdmitAsync(context, next, ticket);
    }

    private static bool Allows(OrgIdentity identity, string? model) =>
        identity.Key is not { Models.Count: > 0 } key || ModelAllowList.Allows(key.Models, model);

    private static async Task RefuseModelAsync(HttpContext context, OrgIdentity identity, string? model)
    {
        await RequestDrain.BeforeRefusalAsync(context);
        await OpenAiError.WriteAsync(context, StatusCodes.Status403Forbidden, "invalid_request_error", "model_not_allowed",
            $"This API key may not call the model '{model}'. It may call: {string.Join(", ", identity.Key!.Models)}.", "model");
    }

    private async Task CountAsync(HttpContext context, RequestDelegate next, QuotaTicket ticket)
    {
        try
        {
            await next(context);
        }
        finally
        {
            await SettleAsync(context, ticket);
        }
    }

    private async Task AdmitAsync(HttpContext context, RequestDelegate next, QuotaTicket ticket)
    {
        var decision = await ledger.AdmitAsync(ticket, context.RequestAborted);
        if (!decision.Admitted)
        {
            // A metered call's upload is still unread: the refusal must reach a client that is still sending it.
            await RequestDrain.BeforeRefusalAsync(context);
            await RefuseAsync(context, decision);
            return;
        }

        if (decision.Requests is not null || decision.Tokens is not null)
        {
            // At the last moment before the headers go out: they then replace whatever the upstream or a cache entry said.
            context.Response.OnStarting(static state =>
            {
                var (response, admitted) = ((HttpResponse, QuotaDecision))state;
                RateLimitHeaders.Set(response, admitted);
                return Task.CompletedTask;
            }, (context.Response, decision));
        }

        try
        {
            await next(context);
        }
        finally
        {
            await SettleAsync(context, ticket);
        }
    }

    private ValueTask SettleAsync(HttpContext context, QuotaTicket ticket)
    {
        var usage = meter.Measure(context);
        var billed = usage.Usage is { } tokens ? tokens.PromptTokens + tokens.CompletionTokens : 0;
        return ledger.SettleAsync(ticket, new MonthSpend(billed, MonthSpend.ToUnits(usage.CostUsd ?? 0m)));
    }

    private static Task RefuseAsync(HttpContext context, QuotaDecision decision)
    {
        var level = decision.RefusedBy!;
        var headers = context.Response.Headers;
        if (decision.Kind == QuotaKind.Budget)
        {
            // Retrying cannot help until the month ends or the budget is raised; the official SDKs honour this header.
            headers["x-should-retry"] = "false";
            return OpenAiError.WriteAsync(context, StatusCodes.Status429TooManyRequests, "insufficient_quota", "budget_exceeded",
                $"The monthly budget of this {Name(level)} is used up, or this call's estimated cost does not fit in what is left: calls are refused until the next month (UTC) or until the budget is raised.");
        }

        headers["x-should-retry"] = decision.Final ? "false" : "true";
        headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(decision.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var (type, message) = decision.Kind switch
        {
            QuotaKind.Requests => ("requests", $"Rate limit of this {Name(level)} reached: {level.RpmLimit} requests per minute."),
            QuotaKind.Tokens when decision.Final => ("tokens", $"This call's estimated tokens exceed the {level.TpmLimit} tokens per minute of this {Name(level)}: it can never pass; ask for fewer output tokens or a shorter prompt."),
            QuotaKind.Tokens => ("tokens", $"Rate limit of this {Name(level)} reached: {level.TpmLimit} tokens per minute."),
            _ => ("concurrency", $"This {Name(level)} already has its {level.MaxConcurrent} calls running at once."),
        };
        return OpenAiError.WriteAsync(context, StatusCodes.Status429TooManyRequests, type, "rate_limit_exceeded",
            message + " Retry after the time in Retry-After.");
    }

    private static string Name(QuotaLevel level) => level.Kind switch
    {
        "key" => "API key",
        "route" => "route (per org)",
        _ => level.Kind,
    };
}
