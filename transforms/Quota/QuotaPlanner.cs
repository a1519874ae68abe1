using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Prices;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// Makes a call's <see cref="QuotaTicket"/> (CONTRACT §10.4): the levels whose limits or enforced budgets apply — its key
/// (limits; the key's USD budget, always enforced), its customer (the customer's limits and budget, each falling back to
/// the org's; the budget enforced with the customer's <c>hard_budget</c>, which falls back to the org's), its org (limits;
/// budget with <c>hard_budget</c>), its route within the org (the route policy's limits) — the accounts its spend counts
/// against, and, when a token limit or a budget applies, its estimate: prompt tokens by the tokenizer plus the output it
/// may ask for, and what they cost at the model's price.
/// </summary>
internal sealed class QuotaPlanner(IOptionsMonitor<GatewayOptions> options, PriceCatalog prices)
{
    /// <summary>
    /// The ticket of the call. Only an AI call's usage can be estimated from its request; a metered call (images, audio, a
    /// batch) has its usage known only from its answer, if at all, so it reserves nothing: a budget refuses it once used
    /// up, and what its answer reports is counted when it ends.
    /// </summary>
    public QuotaTicket Plan(ICallExchange call, CallSettings settings)
    {
        var gateway = options.CurrentValue;
        var (levels, accounts) = Levels(call.Identity, call.Route, settings, gateway);
        var estimate = call is AiExchange exchange && levels.Exists(l => l.TpmLimit is not null || l.EnforcesBudget) ? Estimate(exchange, gateway.Limits) : default;
        return new QuotaTicket(call.Identity.OrgId, BudgetMonth.Of(call.Call.ReceivedAt), call.Call.RequestId.ToString(), [.. levels], [.. accounts], estimate);
    }

    private static (List<QuotaLevel> Levels, List<SpendAccount> Accounts) Levels(OrgIdentity identity, string? route, CallSettings settings, GatewayOptions gateway)
    {
        var orgId = identity.OrgId;
        var key = identity.Key;
        var org = settings.Org;
        var customer = settings.Customer;
        var levels = new List<QuotaLevel>(4);
        var accounts = new List<SpendAccount>(3) { SpendAccount.Org(orgId) };
        if (key is not null)
        {
            var account = SpendAccount.Key(orgId, key.Id);
            accounts.Add(account);
            Add(levels, new QuotaLevel("key", "k:" + key.Id, key.RpmLimit, key.TpmLimit, key.MaxConcurrent, account, key.MonthlyUsdBudget, null));
        }

        if (settings.CustomerId is { } customerId)
        {
            var account = SpendAccount.Customer(orgId, customerId);
            accounts.Add(account);
            var hard = customer?.HardBudget ?? org?.HardBudget ?? false;
            Add(levels, new QuotaLevel("customer", "c:" + customerId,
                customer?.RpmLimit ?? org?.RpmLimit, customer?.TpmLimit ?? org?.TpmLimit, customer?.MaxConcurrent ?? org?.MaxConcurrent, account,
                hard ? customer?.MonthlyUsdBudget ?? org?.MonthlyUsdBudget : null, hard ? customer?.MonthlyTokenBudget ?? org?.MonthlyTokenBudget : null));
        }

        if (org is not null)
        {
            Add(levels, new QuotaLevel("org", "org", org.RpmLimit, org.TpmLimit, org.MaxConcurrent, SpendAccount.Org(orgId),
                org.HardBudget ? org.MonthlyUsdBudget : null, org.HardBudget ? org.MonthlyTokenBudget : null));
        }

        if (route is not null && gateway.Routes.TryGetValue(route, out var policy))
        {
            Add(levels, new QuotaLevel("route", "r:" + route, policy.RpmLimit, policy.TpmLimit, policy.MaxConcurrent, null, null, null));
        }

        return (levels, accounts);
    }

    /// <summary>Prompt tokens by the model's tokenizer plus the output the body allows (else the configured default), and their cost.</summary>
    private MonthSpend Estimate(AiExchange exchange, LimitsOptions limits)
    {
        var prompt = TokenEstimator.EstimatePromptTokens(exchange.Model, exchange.Json);
        var output = MaxOutputTokens(exchange.Json) ?? limits.DefaultOutputTokens;
        var cost = prices.Cost(exchange.Model, exchange.Call.ReceivedAt, new TokenUsage(prompt, 0, output));
        // An unpriced model reserves no money: its calls are counted, at no cost, as they are logged.
        return new MonthSpend(prompt + output, MonthSpend.ToUnits(cost ?? 0m));
    }

    private static long? MaxOutputTokens(JsonElement body)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens", "max_output_tokens"])
        {
            if (body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var tokens) && tokens >= 0)
            {
                return tokens;
            }
        }

        return null;
    }

    private static void Add(List<QuotaLevel> levels, QuotaLevel level)
    {
        if (level.HasLimits || level.EnforcesBudget)
        {
            levels.Add(level);
        }
    }
}
