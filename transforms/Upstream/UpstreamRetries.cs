using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// The retries of an understood call, run by a Polly v8 retry pipeline (<see cref="HttpRetryStrategyOptions"/>) that a
/// call enters only after its first attempt failed in a way worth retrying. Polly runs the loop, the waits (on the
/// gateway's <see cref="TimeProvider"/>) and the disposal of the failed answers; the OpenAI-specific rules are the
/// call's own and are handed to it: <see cref="UpstreamCall.ShouldRetryAsync"/> decides which outcomes are retried
/// (statuses, <c>x-should-retry</c>, <c>insufficient_quota</c>, the retry count and the time budget) and says how long
/// to wait (<c>retry-after-ms</c>, <c>Retry-After</c>, else jittered exponential backoff), which the delay generator returns.
/// </summary>
internal sealed partial class UpstreamRetries
{
    private static readonly ResiliencePropertyKey<UpstreamCall> CallKey = new("aigw.upstream-call");
    private static readonly ResiliencePropertyKey<Outcome<HttpResponseMessage>> FirstOutcomeKey = new("aigw.first-outcome");
    private static readonly ResiliencePropertyKey<Func<UpstreamCall, CancellationToken, Task<HttpResponseMessage>>> SendKey = new("aigw.send");
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger _logger;

    /// <summary>Builds the pipeline once per upstream handler.</summary>
    public UpstreamRetries(TimeProvider time, ILogger logger)
    {
        _logger = logger;
        var retry = new HttpRetryStrategyOptions
        {
            // The call bounds its own retries (Gateway:Upstream:MaxRetries, none for a fallback attempt).
            MaxRetryAttempts = int.MaxValue,
            ShouldRetryAfterHeader = false,
            ShouldHandle = static args => args.Context.Properties.GetValue(CallKey, null!).ShouldRetryAsync(args.Outcome, args.AttemptNumber),
            DelayGenerator = static args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(CallKey, null!).NextDelay),
            OnRetry = args =>
            {
                Log.Retrying(_logger, args.Outcome.Exception?.GetType().Name ?? ((int)args.Outcome.Result!.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    (long)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
        };
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }.AddRetry(retry).Build();
    }

    /// <summary>
    /// Retries <paramref name="call"/>, whose first attempt ended with <paramref name="first"/>, sending each further
    /// attempt with <paramref name="send"/>; returns the last answer (or throws the last failure).
    /// </summary>
    public async Task<HttpResponseMessage> RetryAsync(
        UpstreamCall call, Outcome<HttpResponseMessage> first, Func<UpstreamCall, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(CallKey, call);
            context.Properties.Set(FirstOutcomeKey, first);
            context.Properties.Set(SendKey, send);
            var outcome = await _pipeline.ExecuteOutcomeAsync(static async (context, _) =>
            {
                // Polly's first attempt is the plain send already made: it is handed over, not sent again.
                if (context.Properties.TryGetValue(FirstOutcomeKey, out var firstOutcome))
                {
                    context.Properties.Set(FirstOutcomeKey, default);
                    if (firstOutcome.Exception is not null || firstOutcome.Result is not null)
                    {
                        return firstOutcome;
                    }
                }

                try
                {
                    var call = context.Properties.GetValue(CallKey, null!);
                    return Outcome.FromResult(await context.Properties.GetValue(SendKey, null!)(call, context.CancellationToken));
                }
                catch (Exception ex)
                {
                    return Outcome.FromException<HttpResponseMessage>(ex);
                }
            }, context, 0);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8101, EventName = "UpstreamRetry", Level = LogLevel.Information,
            Message = "Upstream answered {Outcome}; retrying in {DelayMs} ms (retry {Retry}).")]
        public static partial void Retrying(ILogger logger, string? outcome, long delayMs, int retry);
    }
}
