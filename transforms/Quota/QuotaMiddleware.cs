using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Orgs;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// The quota slot of the pipeline, after identity and settings and before anything that costs: refuses a call whose
/// org has a hard budget with nothing left (429 <c>budget_exceeded</c>, before any upstream call), and when the call has
/// ended counts what it spent against its org's month. Rate limits, key policy and budget reservations belong here.
/// </summary>
internal sealed class QuotaMiddleware(BudgetMeter budgets, UsageMeter meter)
{
    /// <summary>Runs the step.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<AiExchange>() is not { } exchange)
        {
            await next(context);
            return;
        }

        var org = context.Features.Get<CallSettings>()?.Org;
        if (org is { HardBudget: true } && BudgetShare.HasBudget(org))
        {
            var spent = await budgets.SpentAsync(org.OrgId, exchange.Call.ReceivedAt, context.RequestAborted);
            context.Features.Set(new BudgetStanding(spent));
            if (BudgetShare.Remaining(org, spent) <= 0)
            {
                // Retrying cannot help until the month ends or the budget is raised; the official SDKs honour this header.
                context.Response.Headers["x-should-retry"] = "false";
                await OpenAiError.WriteAsync(context, StatusCodes.Status429TooManyRequests, "insufficient_quota", "budget_exceeded",
                    "This organization's monthly budget is used up and it has a hard budget: calls are refused until the next month (UTC) or until the budget is raised.");
                return;
            }
        }

        try
        {
            await next(context);
        }
        finally
        {
            var spent = meter.Measure(context);
            budgets.Count(exchange.Identity.OrgId, exchange.Call.ReceivedAt, spent.Usage, spent.CostUsd);
        }
    }
}
