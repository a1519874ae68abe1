using System.Net;
using AiGateway.Config;
using Polly;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// One logical upstream call of an understood endpoint and its attempts: each attempt sends the exchange's buffered
/// body afresh (YARP's own request content can be sent only once), and a failed attempt is retried only while the
/// retry, its wait included, fits in the call's time budget.
/// </summary>
internal sealed class UpstreamCall
{
    private readonly HttpRequestMessage _request;
    private readonly UpstreamOutcome _outcome;
    private readonly ReadOnlyMemory<byte> _body;
    private readonly HttpContent? _original;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _budget;
    private readonly int _maxRetries;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly CancellationToken _cancellation;

    /// <summary>Starts the call of up to <paramref name="maxRetries"/> retries, each sending <paramref name="body"/>; <paramref name="cancellation"/> ends it (client gone, YARP's activity timeout or the budget).</summary>
    public UpstreamCall(HttpRequestMessage request, UpstreamOutcome outcome, ReadOnlyMemory<byte> body, UpstreamOptions options, int maxRetries, TimeSpan budget, TimeProvider time, CancellationToken cancellation)
    {
        _request = request;
        _outcome = outcome;
        _body = body;
        _original = request.Content;
        _time = time;
        _started = time.GetTimestamp();
        _budget = budget;
        _maxRetries = maxRetries;
        _baseDelay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds);
        _maxDelay = TimeSpan.FromSeconds(options.MaxRetryDelaySeconds);
        _cancellation = cancellation;
    }

    /// <summary>The wait before the retry that <see cref="ShouldRetryAsync(Outcome{HttpResponseMessage}, int)"/> last allowed.</summary>
    public TimeSpan NextDelay { get; private set; }

    /// <summary>Counts the attempt and gives the request a fresh copy of the body.</summary>
    public HttpRequestMessage PrepareAttempt()
    {
        _outcome.Attempts++;
        var content = new ReadOnlyMemoryContent(_body);
        if (_original is not null)
        {
            // The raw values as YARP copied them from the client.
            UpstreamAnswerBuffer.CopyContentHeaders(_original.Headers, content.Headers, skipContentLength: true);
        }

        if (_outcome.Attempts > 1)
        {
            // The previous attempt's copy (of this call or of the one before its fallback); the first attempt replaces
            // YARP's content, which YARP itself owns.
            _request.Content?.Dispose();
        }

        _request.Content = content;
        return _request;
    }

    /// <summary>Whether an attempt that failed with <paramref name="exception"/> is of a kind worth retrying (the retry pipeline then decides).</summary>
    public bool MayRetry(Exception exception) => _maxRetries > 0 && IsConnectionFailure(exception, _cancellation);

    /// <summary>Whether an attempt answered with <paramref name="response"/> is of a kind worth retrying (the retry pipeline then decides).</summary>
    public bool MayRetry(HttpResponseMessage response) => _maxRetries > 0 && IsRetryableStatus(response.StatusCode);

    /// <summary>
    /// Whether the attempt numbered <paramref name="attempt"/> (0 the first), which ended with <paramref name="outcome"/>,
    /// is worth another attempt now; if so, <see cref="NextDelay"/> says when.
    /// </summary>
    public ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, int attempt)
    {
        if (attempt >= _maxRetries || _cancellation.IsCancellationRequested)
        {
            return ValueTask.FromResult(false);
        }

        if (outcome.Exception is { } exception)
        {
            return ValueTask.FromResult(IsConnectionFailure(exception, _cancellation) && Allow(Backoff(attempt)));
        }

        return ShouldRetryAsync(outcome.Result!, attempt);
    }

    private async ValueTask<bool> ShouldRetryAsync(HttpResponseMessage response, int attempt)
    {
        if (!IsRetryableStatus(response.StatusCode) || IsMarkedFinal(response))
        {
            return false;
        }

        if (await QuotaError.IsInsufficientQuotaAsync(response, _cancellation))
        {
            return false;
        }

        var retryAfter = RetryAfter.Read(response, _time.GetUtcNow());
        if (retryAfter > _maxDelay)
        {
            // The upstream will not be ready soon: the client gets its answer now and decides itself.
            return false;
        }

        return Allow(retryAfter ?? Backoff(attempt));
    }

    /// <summary>Whether the answer this call ended with is a failure another model may not have: 429 (not <c>insufficient_quota</c>) or a retryable 5xx.</summary>
    public async ValueTask<bool> CallsForFallbackAsync(HttpResponseMessage response) =>
        IsRetryableStatus(response.StatusCode) && !await QuotaError.IsInsufficientQuotaAsync(response, _cancellation);

    /// <summary>Whether <paramref name="exception"/> says the upstream could not be reached (not that <paramref name="cancellation"/> ended the call).</summary>
    public static bool IsConnectionFailure(Exception exception, CancellationToken cancellation) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ResponseEnded } => true,
        // Reset before any answer arrived (e.g. by the upstream's load balancer); SDKs retry these connection errors too.
        HttpRequestException { InnerException: IOException } => true,
        // SocketsHttpHandler.ConnectTimeout surfaces as a cancellation that none of our tokens asked for.
        OperationCanceledException { InnerException: TimeoutException } => !cancellation.IsCancellationRequested,
        _ => false,
    };

    private bool Allow(TimeSpan delay)
    {
        if (_time.GetElapsedTime(_started) + delay >= _budget)
        {
            return false;
        }

        NextDelay = delay;
        return true;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _baseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var capped = Math.Min(exponential, _maxDelay.TotalMilliseconds);
        // Jitter spreads the retries of the many calls that one upstream hiccup fails at the same moment.
        return TimeSpan.FromMilliseconds(capped * (1 - (0.25 * Random.Shared.NextDouble())));
    }

    private static bool IsRetryableStatus(HttpStatusCode status) =>
        status == HttpStatusCode.TooManyRequests || ((int)status >= 500 && status is not HttpStatusCode.NotImplemented and not HttpStatusCode.HttpVersionNotSupported);

    // OpenAI marks answers that a retry cannot change with "x-should-retry: false".
    private static bool IsMarkedFinal(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-should-retry", out var values) && string.Equals(values.FirstOrDefault(), "false", StringComparison.OrdinalIgnoreCase);
}
