using AiGateway.Config;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Orgs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// Told of every ended call: when its level (<see cref="PayloadLevel"/>) is not <c>off</c>, hands what it asked and what
/// it was answered to the <see cref="PayloadWriter"/>, without copying, redacting or waiting. A call off (the default)
/// costs one settings read. A cache hit or a follower stores its own request but not the answer another call produced.
/// </summary>
internal sealed class PayloadCallSink(PayloadWriter writer, IOptionsMonitor<GatewayOptions> options) : ICallLogSink
{
    /// <inheritdoc/>
    public void OnCallEnded(HttpContext context, PerfLogRecord row)
    {
        var settings = context.Features.Get<CallSettings>();
        var exchange = context.Features.Get<AiExchange>();
        if (settings is null || exchange is null || settings.PayloadLogging == PayloadLoggingName.Off)
        {
            return;
        }

        var route = row.Route is { } name && options.CurrentValue.Routes.TryGetValue(name, out var policy) ? policy : null;
        var level = PayloadLevel.For(context, settings, route);
        if (level == PayloadLoggingName.Off)
        {
            return;
        }

        var dedupe = context.Features.Get<DedupeFeature>();
        // Only the call that produced the answer stores it; a follower's or resumer's answer is its leader's.
        var answer = dedupe is { Answer: { } live } && dedupe.Role is null or DedupeRoles.Leader ? live : null;
        writer.TryWrite(new PayloadCapture
        {
            RequestId = row.Id,
            Ts = row.Ts,
            OrgId = row.OrgId,
            CustomerId = row.CustomerId,
            Level = level,
            Endpoint = exchange.Endpoint,
            Request = exchange.Body,
            Answer = answer,
            EventCount = answer?.EventCount ?? 0,
        });
    }
}
