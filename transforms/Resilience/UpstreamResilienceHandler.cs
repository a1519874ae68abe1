using AiGateway.Config;
using AiGateway.Transforms.Exchange;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace AiGateway.Transforms.Resilience;

/// <summary>
/// The outer handler of YARP's forwarder client: retries understood calls on connection failures, 429 and 5xx
/// (never 429 <c>insufficient_quota</c>, never passthrough calls, whose body is streamed once), and bounds the wait for
/// the upstream (CONTRACT §9): a streamed or bodiless call gets <c>FirstByteTimeoutSeconds</c> to its response headers,
/// a non-streamed call <c>TotalTimeoutSeconds</c> to its whole answer. Running out of time is a cancellation YARP did
/// not ask for, which it reports as <c>ForwarderError.RequestTimedOut</c>: the gateway's 504 <c>upstream_timeout</c>.
/// When the retries run out, the last upstream response goes to the client unchanged.
/// </summary>
internal sealed partial class UpstreamResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<UpstreamCall> CallKey = new("aigw.upstream-call");
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;

    /// <summary>Creates the handler in front of <paramref name="inner"/>.</summary>
    public UpstreamResilienceHandler(HttpMessageHandler inner, IOptionsMonitor<GatewayOptions> options, TimeProvider time, ILogger logger)
        : base(inner)
    {
        _options = options;
        _time = time;
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // The real limit is Gateway:Upstream:MaxRetries, read per call so that a reload applies at once.
                MaxRetryAttempts = 10,
                ShouldHandle = static args => args.Context.Properties.GetValue(CallKey, null!).ShouldRetryAsync(args.Outcome, args.AttemptNumber),
                DelayGenerator = static args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(CallKey, null!).NextDelay),
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } response ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name;
                    Log.Retrying(logger, status, (long)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(UpstreamRequestOptions.Exchange, out var exchange);
        var upstream = _options.CurrentValue.Upstream;
        TimeSpan budget;
        if (exchange is not null)
        {
            budget = TimeSpan.FromSeconds(exchange.IsStream ? upstream.FirstByteTimeoutSeconds : upstream.TotalTimeoutSeconds);
        }
        else if (request.Content is null)
        {
            budget = TimeSpan.FromSeconds(upstream.FirstByteTimeoutSeconds);
        }
        else
        {
            // A passthrough upload: the time to its answer includes the upload, so YARP's ActivityTimeout alone bounds it.
            return await base.SendAsync(request, cancellationToken);
        }

        using var deadline = new CancellationTokenSource(budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            if (exchange is null)
            {
                return await base.SendAsync(request, linked.Token);
            }

            var response = await SendWithRetriesAsync(request, exchange, upstream, budget, linked.Token);
            if (!exchange.IsStream)
            {
                try
                {
                    await UpstreamAnswerBuffer.BufferAsync(response, linked.Token);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }

            return response;
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or HttpRequestException or IOException)
        {
            throw new TaskCanceledException($"The upstream did not answer within {budget.TotalSeconds:0.###} s.", new TimeoutException());
        }
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(HttpRequestMessage request, AiExchange exchange, UpstreamOptions upstream, TimeSpan budget, CancellationToken cancellationToken)
    {
        var call = new UpstreamCall(request, exchange, upstream, budget, _time, cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        try
        {
            return await _retry.ExecuteAsync(
                static (context, state) => new ValueTask<HttpResponseMessage>(state.Handler.SendAttemptAsync(state.Call, context.CancellationToken)),
                context,
                (Handler: this, Call: call));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendAttemptAsync(UpstreamCall call, CancellationToken cancellationToken) =>
        base.SendAsync(call.PrepareAttempt(), cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 8101, EventName = "UpstreamRetry", Level = LogLevel.Information,
            Message = "Upstream answered {Outcome}; retrying in {DelayMs} ms (retry {Retry}).")]
        public static partial void Retrying(ILogger logger, string? outcome, long delayMs, int retry);
    }
}
