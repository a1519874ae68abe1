using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Relay;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Metering;

/// <summary>
/// Prices the answer a call leads the moment its usage arrives (an <see cref="IAnswerSink"/>), so that every client's
/// cost header or comment can go out before the end: at the price of the model that answered, as of the call's arrival.
/// </summary>
internal sealed class AnswerPricer(UsageMeter meter, AiExchange exchange) : IAnswerSink
{
    private string? _model = exchange.Model;

    /// <inheritdoc/>
    public void OnStart(LiveResponse answer, HttpResponse leaderResponse)
    {
        if (leaderResponse.HttpContext.Features.Get<UpstreamOutcome>()?.FallbackModel is { } fallback)
        {
            _model = fallback;
        }
    }

    /// <inheritdoc/>
    public void OnUsage(LiveResponse answer, TokenUsage usage)
    {
        answer.Usage = usage;
        answer.CostUsd = meter.Cost(_model, exchange.Call.ReceivedAt, usage);
    }
}
