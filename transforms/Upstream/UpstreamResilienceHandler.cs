using AiGateway.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// The outer handler of YARP's forwarder client: retries understood calls on connection failures, 429 and 5xx
/// (never 429 <c>insufficient_quota</c>, never passthrough calls, whose body is streamed once), and bounds the wait for
/// the upstream (CONTRACT §9): a streamed or bodiless call gets <c>FirstByteTimeoutSeconds</c> to its response headers,
/// a non-streamed call <c>TotalTimeoutSeconds</c> to its whole answer. Running out of time is a cancellation YARP did
/// not ask for, which it reports as <c>ForwarderError.RequestTimedOut</c>: the gateway's 504 <c>upstream_timeout</c>.
/// When the retries run out, the last upstream response goes to the client unchanged — unless the call's model has a
/// fallback (<c>Gateway:Upstream:FallbackModels</c>) and it failed in a way another model may not: then one more attempt
/// with the fallback model answers it (see <see cref="UpstreamFallback"/>).
/// </summary>
internal sealed partial class UpstreamResilienceHandler : DelegatingHandler
{
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UpstreamRetries _retries;

    /// <summary>Creates the handler in front of <paramref name="inner"/>.</summary>
    public UpstreamResilienceHandler(HttpMessageHandler inner, IOptionsMonitor<GatewayOptions> options, TimeProvider time, ILogger logger)
        : base(inner)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _retries = new UpstreamRetries(time, logger);
    }

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(UpstreamRequestOptions.Call, out var call);
        var upstream = _options.CurrentValue.Upstream;
        if (call is null && request.Content is not null)
        {
            // A passthrough upload: the time to its answer includes the upload, so YARP's ActivityTimeout alone bounds it.
            return base.SendAsync(request, cancellationToken);
        }

        var fallback = call is null ? null : UpstreamFallback.Find(upstream, call.Exchange);
        return SendWithinBudgetAsync(request, call, call?.Exchange.Body ?? default, upstream, upstream.MaxRetries, fallback, cancellationToken);
    }

    /// <summary>
    /// Sends the request (with retries, for an understood call) within its time budget; when the call fails in a way its
    /// <paramref name="fallback"/> model may not (unreachable, timed out, or a retryable answer), sends it once more with that model.
    /// </summary>
    private async Task<HttpResponseMessage> SendWithinBudgetAsync(
        HttpRequestMessage request, UpstreamOutcome? outcome, ReadOnlyMemory<byte> body, UpstreamOptions upstream, int maxRetries, string? fallback, CancellationToken cancellationToken)
    {
        var exchange = outcome?.Exchange;
        var budget = TimeSpan.FromSeconds(exchange is { IsStream: false } ? upstream.TotalTimeoutSeconds : upstream.FirstByteTimeoutSeconds);

        // One token source for the caller's cancellation, the answer's (an operator's cancel, or no reader left) and the
        // budget; the budget ran out when it is cancelled and neither of the others is.
        var aborted = outcome?.AnswerAborted ?? default;
        using (var limited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, aborted))
        using (StartDeadline(limited, budget))
        {
            try
            {
                if (exchange is null)
                {
                    return await base.SendAsync(request, limited.Token);
                }

                var call = new UpstreamCall(request, outcome!, body, upstream, maxRetries, budget, _time, limited.Token);
                var response = await SendWithRetriesAsync(call, limited.Token);
                try
                {
                    if (fallback is null || !await call.CallsForFallbackAsync(response))
                    {
                        if (!exchange.IsStream)
                        {
                            await UpstreamAnswerBuffer.BufferAsync(response, limited.Token);
                        }

                        return response;
                    }
                }
                catch
                {
                    response.Dispose();
                    throw;
                }

                response.Dispose();
            }
            catch (Exception ex) when (fallback is not null && !cancellationToken.IsCancellationRequested && !aborted.IsCancellationRequested
                && ((limited.IsCancellationRequested && ex is OperationCanceledException or HttpRequestException or IOException)
                    || UpstreamCall.IsConnectionFailure(ex, limited.Token)))
            {
                // Unreachable or out of time: the fallback model may answer.
            }
            catch (Exception ex) when (limited.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !aborted.IsCancellationRequested
                && ex is OperationCanceledException or HttpRequestException or IOException)
            {
                throw new TaskCanceledException($"The upstream did not answer within {budget.TotalSeconds:0.###} s.", new TimeoutException());
            }
        }

        // One attempt, with a budget of its own (the call's own may be what ran out), and no fallback of its own.
        Log.FallingBack(_logger, exchange!.Model, fallback);
        outcome!.FallbackModel = fallback;
        return await SendWithinBudgetAsync(request, outcome, UpstreamFallback.Body(exchange, fallback!), upstream, maxRetries: 0, fallback: null, cancellationToken);
    }

    // Without a test clock, CancelAfter runs on the token source's own timer instead of a second token source's.
    private ITimer? StartDeadline(CancellationTokenSource limited, TimeSpan budget)
    {
        if (_time == TimeProvider.System)
        {
            limited.CancelAfter(budget);
            return null;
        }

        return _time.CreateTimer(static source => CancelUnlessDisposed((CancellationTokenSource)source!), limited, budget, Timeout.InfiniteTimeSpan);
    }

    private static void CancelUnlessDisposed(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended while the timer fired.
        }
    }

    // The first attempt is a plain send: the retry pipeline costs nothing until an attempt fails in a way worth retrying.
    // Each attempt ends before YARP sees a response, so no byte of a failed attempt ever reaches the client.
    private async Task<HttpResponseMessage> SendWithRetriesAsync(UpstreamCall call, CancellationToken cancellationToken)
    {
        HttpResponseMessage first;
        try
        {
            first = await base.SendAsync(call.PrepareAttempt(), cancellationToken);
        }
        catch (Exception ex) when (call.MayRetry(ex))
        {
            return await _retries.RetryAsync(call, Outcome.FromException<HttpResponseMessage>(ex), this.SendAttemptAsync, cancellationToken);
        }

        return call.MayRetry(first)
            ? await _retries.RetryAsync(call, Outcome.FromResult(first), this.SendAttemptAsync, cancellationToken)
            : first;
    }

    private Task<HttpResponseMessage> SendAttemptAsync(UpstreamCall call, CancellationToken cancellationToken) =>
        base.SendAsync(call.PrepareAttempt(), cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 8103, EventName = "UpstreamFallback", Level = LogLevel.Information,
            Message = "Upstream failed for model {Model}; trying its fallback model {FallbackModel}.")]
        public static partial void FallingBack(ILogger logger, string? model, string? fallbackModel);
    }
}
