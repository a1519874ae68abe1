using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Metering;

/// <summary>
/// Proxy-pipeline step before the cache: asks the upstream for a stream's usage where the endpoint needs asking
/// (CONTRACT §2: every stream is metered from the upstream's own count; the relay drops the usage chunk for a client that
/// did not ask for it), and registers the <see cref="AnswerPricer"/> that prices the answer as its usage arrives. A
/// metered call's answer (images, audio, a batch) passes YARP's own copy to the client through a <see cref="UsageTap"/>,
/// which reads the usage it reports on the way.
/// </summary>
internal sealed class MeteringMiddleware(UsageMeter meter)
{
    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<AiExchange>() is { } exchange)
        {
            if (exchange is { IsStream: true, ClientWantsStreamUsage: false }
                && exchange.Endpoint.AskForStreamUsage(exchange.Body.Span, exchange.Json) is { } asking)
            {
                exchange.RewriteBody(asking);
            }

            AnswerSinks.For(context).Add(new AnswerPricer(meter, exchange));
            return next(context);
        }

        return context.Features.Get<MeteredExchange>() is null ? next(context) : TapAsync(context, next);
    }

    private static async Task TapAsync(HttpContext context, RequestDelegate next)
    {
        var response = context.Response;
        var body = response.Body;
        var tap = new UsageTap(body, response);
        context.Features.Set(tap);
        response.Body = tap;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = body;
        }
    }
}
