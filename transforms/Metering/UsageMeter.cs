using System.Globalization;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Relay;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Metering;

/// <summary>Turns an answer's token usage into money, at the prices in force when the call was made (CONTRACT §6).</summary>
internal static class UsageMeter
{
    /// <summary>The response header with a call's cost.</summary>
    public const string CostHeader = "x-aigw-cost-usd";

    /// <summary>Records the usage of an answer and its cost for the model actually sent upstream.</summary>
    public static void Price(AiExchange exchange, LiveResponse live, TokenUsage usage)
    {
        live.Usage = usage;
        live.CostUsd = Cost(exchange, usage);
    }

    /// <summary>The cost of <paramref name="usage"/> for this call's model, or null when the model has no price.</summary>
    public static decimal? Cost(AiExchange exchange, TokenUsage usage) => Cost(exchange, exchange.Model, usage);

    /// <summary>The cost of <paramref name="usage"/> for <paramref name="model"/> at this call's time, or null when the model has no price.</summary>
    public static decimal? Cost(AiExchange exchange, string? model, TokenUsage usage) =>
        exchange.Prices?.Cost(model, exchange.Log?.Ts ?? DateTimeOffset.UtcNow, usage);

    /// <summary>The usage recorded in a cache entry: its JSON body, or its usage chunk or terminal event.</summary>
    public static TokenUsage? Read(CachedResponse entry)
    {
        if (!entry.IsStream)
        {
            return UsageReader.TryReadBody(entry.Payload.Span, out var bodyUsage) ? bodyUsage : null;
        }

        var ends = entry.EventEnds!;
        var index = entry.UsageEventIndex >= 0 ? entry.UsageEventIndex : ends.Length - 1;
        if (index < 0)
        {
            return null;
        }

        var start = index == 0 ? 0 : ends[index - 1];
        return UsageReader.TryReadStreamEvent(entry.Payload.Span[start..ends[index]], out var usage) ? usage : null;
    }

    /// <summary>The usage in a completed answer's log: its body, or its usage chunk or terminal event.</summary>
    public static TokenUsage? Read(LiveResponse live)
    {
        if (live.Usage is { } known)
        {
            return known;
        }

        if (live.State != LiveState.Completed)
        {
            return null;
        }

        if (!live.IsEventStream)
        {
            return UsageReader.TryReadBody(live.Body.Span, out var bodyUsage) ? bodyUsage : null;
        }

        var index = live.UsageEventIndex >= 0 ? live.UsageEventIndex : live.TerminalEventIndex;
        return index >= 0 && UsageReader.TryReadStreamEvent(live.Event(index).Span, out var usage) ? usage : null;
    }

    /// <summary>The header or comment text of an amount.</summary>
    public static string Format(decimal cost) => cost.ToString(CultureInfo.InvariantCulture);

    /// <summary>The SSE comment the gateway writes just before a terminal event (CONTRACT §2).</summary>
    public static byte[] CostComment(decimal cost) => System.Text.Encoding.ASCII.GetBytes(": " + CostHeader + "=" + Format(cost) + "\n\n");
}
