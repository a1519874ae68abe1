using AiGateway.Config;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// Proxy-pipeline step after the cache lookup: gives the call its <see cref="LiveResponse"/> and makes it the leader
/// of its fingerprint, or a follower of the identical call already in flight (which then never calls upstream),
/// or — with <c>Last-Event-ID</c> — a resumer of an answer in flight or recently ended (a stream's resume, or the stream
/// client's non-streamed fallback answered from the same generation). Every call's client is a <see cref="LiveReader"/>,
/// named by its request id while the call runs, so the app can ask whether it runs and release it (CONTRACT §10.6).
/// </summary>
internal sealed class DedupeMiddleware(
    LiveResponseRegistry registry, IResponseCacheStore store, CachePolicy policy, IOptionsMonitor<GatewayOptions> options, TimeProvider time, IServiceProvider services)
{
    // Null without Redis: dedupe and resume then work within this instance.
    private readonly RedisConnection? _redis = services.GetService<RedisConnection>();
    private readonly RedisLeaseRenewer? _renewer = services.GetService<RedisLeaseRenewer>();
    private readonly RedisMirrorRequests? _mirrorRequests = services.GetService<RedisMirrorRequests>();

    /// <summary>The request and response header of dedupe.</summary>
    public const string DedupeHeader = "x-aigw-dedupe";

    /// <summary>The stream client's reconnect number (CONTRACT §10.6).</summary>
    public const string ResumeAttemptHeader = "x-aigw-resume-attempt";

    /// <summary>The stream client's mark of its non-streamed fallback (<c>non-stream</c>).</summary>
    public const string FallbackHeader = "x-aigw-fallback";

    /// <summary>The largest reconnect number logged; anything above or unreadable is logged as none.</summary>
    public const int MaxClientAttempt = 1000;

    /// <summary>Runs the step.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var exchange = context.Features.Get<AiExchange>();
        var cache = context.Features.Get<CacheFeature>();
        if (exchange is null || cache is null)
        {
            await next(context);
            return;
        }

        var headers = context.Request.Headers;
        var reader = new LiveReader(exchange.Call.RequestId, exchange.Identity.OrgId, context.Features.Get<CallSettings>()?.CustomerId);
        var feature = new DedupeFeature
        {
            Reader = reader,
            ClientAttempt = ClientAttempt(headers[ResumeAttemptHeader].ToString()),
            ClientFallback = string.Equals(headers[FallbackHeader].ToString(), "non-stream", StringComparison.OrdinalIgnoreCase),
        };
        context.Features.Set(feature);
        registry.AddReader(reader);
        try
        {
            await RunAsync(context, next, exchange, cache, feature, reader);
        }
        finally
        {
            registry.RemoveReader(reader);
        }
    }

    /// <summary>The reconnect number a client sent, or null when it sent none or one out of range.</summary>
    internal static int? ClientAttempt(string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt)
        && attempt <= MaxClientAttempt ? attempt : null;

    private async Task RunAsync(HttpContext context, RequestDelegate next, AiExchange exchange, CacheFeature cache, DedupeFeature feature, LiveReader reader)
    {
        var gateway = options.CurrentValue;
        if (context.Request.Headers.TryGetValue("Last-Event-ID", out var lastEventId))
        {
            if (exchange.IsStream)
            {
                await ResumeAsync(exchange, cache, feature, reader, lastEventId.ToString(), gateway);
                return;
            }

            // The stream client's fallback: the generation its stream began, if it is still to be had; else a fresh call.
            var fallback = new SameGenerationFallback(registry, store, gateway);
            if (await fallback.TryAnswerAsync(exchange, cache, policy.StreamKey(exchange, context.Features.Get<CallSettings>() ?? CallSettings.Defaults), reader, lastEventId.ToString(), FindInRedisAsync))
            {
                feature.Role = DedupeRoles.Resumer;
                feature.Answer = reader.Answer;
                return;
            }

            feature.Answer = null;
        }

        var dedupe = !string.Equals(context.Request.Headers[DedupeHeader], "off", StringComparison.OrdinalIgnoreCase)
            && (context.Features.Get<CallSettings>()?.DedupeEnabled ?? true);
        var sinks = AnswerSinks.For(context);
        var call = new LiveCall(exchange.Call.RequestId, reader.OrgId, reader.CustomerId, exchange.Route, exchange.Model, exchange.Call.ReceivedAt);
        while (true)
        {
            var live = new LiveResponse(exchange.Endpoint, cache.Fingerprint, SseEventId.NewResponseId(), exchange.IsStream, sinks) { Call = call };
            var leader = dedupe ? registry.LeadOrJoin(live) : live;
            if (leader == live && dedupe && _redis?.Database is { } database)
            {
                try
                {
                    leader = await LeadAcrossInstancesAsync(database, live, gateway);
                }
                catch (Exception ex)
                {
                    // Whatever went wrong across instances, this call still leads here: a registered candidate that
                    // never ran would keep every identical request waiting.
                    _redis.ReportFailure(ex);
                    leader = live;
                }
            }

            if (leader == live)
            {
                await LeadAsync(context, feature, reader, live, dedupe, gateway, next);
                return;
            }

            SetHeader(context, DedupeHeader, DedupeRoles.Follower);
            feature.Role = DedupeRoles.Follower;
            feature.Answer = leader;
            SetHeader(context, CacheHeaders.Cache, CacheDecision.HeaderValue(cache.Status));
            var outcome = await JoinAsync(exchange, leader, reader, 0, gateway);
            if (outcome != LiveResponseWriter.Outcome.LeaderGone || context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            // The leader's own client left before the upstream answered: this call leads a fresh attempt.
            if (!context.Response.HasStarted)
            {
                context.Response.Headers.Remove(DedupeHeader);
            }

            feature.Role = null;
            feature.Answer = null;
        }
    }

    private async Task LeadAsync(HttpContext context, DedupeFeature feature, LiveReader reader, LiveResponse live, bool dedupe, GatewayOptions gateway, RequestDelegate next)
    {
        if (dedupe)
        {
            SetHeader(context, DedupeHeader, DedupeRoles.Leader);
            feature.Role = DedupeRoles.Leader;
        }

        feature.Answer = live;
        registry.Track(live);
        // The leader's client reads the answer from the start (before its writer runs, for a body answer): a release by
        // another reader must not stop a call this client still waits for.
        live.Subscribe(reader);
        var grace = Grace(gateway);
        var proxied = context;
        Task<LiveResponseWriter.Outcome>? client = null;
        var exchange = context.Features.Get<AiExchange>()!;
        if (live.IsStream)
        {
            // A stream's client is one reader of the answer, as followers are, written by the gateway rather than by YARP:
            // it can then start (with a keepalive) before the upstream answers. YARP runs on the same call with a stand-in
            // response, to set the upstream's status and headers on, which the upstream transform hands to the answer.
            context.Features.Set(new LeadingAnswer(live, reader, ClientReads: true));
            proxied = DetachedResponse.For(context).ProxyContext;
            client = LiveResponseWriter.WriteAsync(context, live, reader, 0, exchange.ClientWantsStreamUsage, LiveClient.Leader, context.RequestAborted, grace);
        }
        else
        {
            context.Features.Set(new LeadingAnswer(live, reader));
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await next(proxied);
        }
        finally
        {
            feature.UpstreamDuration = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (!live.IsFinished)
            {
                // The upstream call ended without an answer (unreachable, timed out, or this client left first).
                var failure = ForwarderErrorResponder.Describe(context);
                live.Fail(failure?.Status ?? 0, failure is null ? default : OpenAiError.Serialize("server_error", failure.Value.Code, failure.Value.Message), default,
                    byCancellation: failure is null);
            }

            if (client is not null)
            {
                try
                {
                    await client;
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    // The client went away mid-write.
                    reader.ClientLeft = true;
                }
            }
            else if (live.CancelledByOperator && !context.Response.HasStarted)
            {
                // Cancelled before the upstream answered a body call: its client gets the cancel, not YARP's 502/504.
                await WriteFailureAsync(context, live);
            }

            reader.ClientLeft |= context.RequestAborted.IsCancellationRequested && live.State != LiveState.Completed;
            live.Unsubscribe(reader, reader.Released ? TimeSpan.Zero : grace);
            registry.Release(live, TimeSpan.FromSeconds(gateway.Resume.WindowSeconds));
        }
    }

    /// <summary>
    /// Writes an answer this call joined (as a follower or a resumer); when its client left before the end, waits for the
    /// app to release it (a stop), the answer's end or the resume grace, so the call's row tells a stop from a drop.
    /// </summary>
    private async Task<LiveResponseWriter.Outcome> JoinAsync(AiExchange exchange, LiveResponse live, LiveReader reader, int firstEvent, GatewayOptions gateway)
    {
        var context = exchange.HttpContext;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        wait.CancelAfter(TimeSpan.FromSeconds(gateway.Dedupe.MaxWaitSeconds));
        var outcome = await LiveResponseWriter.WriteAsync(context, live, reader, firstEvent, exchange.ClientWantsStreamUsage, LiveClient.Joiner, wait.Token, Grace(gateway));
        if (reader.ClientLeft && !reader.Released)
        {
            await reader.WaitForReleaseAsync(live, Grace(gateway));
        }

        return outcome;
    }

    /// <summary>
    /// Takes the fingerprint's Redis lease and mirrors <paramref name="live"/> for other instances; or, when another
    /// instance leads, puts in flight a local copy of its answer fed from Redis and returns that copy to follow.
    /// </summary>
    private async Task<LiveResponse> LeadAcrossInstancesAsync(StackExchange.Redis.IDatabase database, LiveResponse live, GatewayOptions gateway)
    {
        var lease = TimeSpan.FromSeconds(gateway.Dedupe.LeaseSeconds);
        var window = TimeSpan.FromSeconds(gateway.Resume.WindowSeconds);
        RedisLiveMirror? mirror = null;
        try
        {
            // Heard before the first lease is taken: a reader elsewhere asks for the log of an answer only once it sees the lease.
            await _mirrorRequests!.ListenAsync();
            mirror = RedisLiveMirror.Create(_redis!, _renewer!, _mirrorRequests, live, lease, window);
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (await RedisLeaderLease.TryAcquireAsync(database, live.Fingerprint, live.ResponseId, lease))
                {
                    // The mirror lets go with the end entry, before the answer is complete here: a request sent after a
                    // client saw the end leads a new call, and a follower that finds the lease gone finds the end in the log.
                    live.Sinks?.Add(mirror);
                    mirror.Start();
                    mirror = null;
                    return live;
                }

                if (await RedisLeaderLease.HolderAsync(database, live.Fingerprint) is { } remoteResponseId)
                {
                    if (await RedisLiveEntries.HasEndedAsync(database, live.Fingerprint, remoteResponseId))
                    {
                        // That answer is complete and its leader about to let go: it is not in flight, so this call leads.
                        return live;
                    }

                    var copy = new LiveResponse(live.Endpoint, live.Fingerprint, remoteResponseId, live.IsStream);
                    if (!registry.Replace(live, copy))
                    {
                        return live;
                    }

                    // Anyone who joined the discarded candidate in the meantime joins the copy instead.
                    live.Fail(0, default, default, byCancellation: true);
                    registry.Track(copy);
                    _ = FeedAsync(copy, window);
                    return copy;
                }
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Without Redis the call is deduped within this instance only.
            _redis!.ReportFailure(ex);
        }
        finally
        {
            mirror?.Abandon();
        }

        return live;
    }

    private async Task FeedAsync(LiveResponse copy, TimeSpan window)
    {
        try
        {
            await RedisLiveFeed.RunAsync(_redis!, copy, copy.ResponseId, mustExist: false);
        }
        finally
        {
            registry.Release(copy, window);
        }
    }

    private async Task ResumeAsync(AiExchange exchange, CacheFeature cache, DedupeFeature feature, LiveReader reader, string lastEventId, GatewayOptions gateway)
    {
        var context = exchange.HttpContext;
        if (!SseEventId.TryParse(lastEventId, out var responseId, out var position))
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_last_event_id",
                "Last-Event-ID must be an event id this gateway sent (<response id>:<position>).", "Last-Event-ID");
            return;
        }

        // The fingerprint check keeps a resume inside the org (and request) that started the answer. A cached answer is
        // looked for before another instance's log: a log is written only on request, which costs the leader's instance
        // work and, when there is none, this client a wait.
        var live = registry.Find(responseId);
        if (live is null || live.Fingerprint != cache.Fingerprint)
        {
            using var entry = await store.GetAsync(cache.Decision.Key, context.RequestAborted);
            if (entry is not null && entry.ResponseId == responseId)
            {
                MarkResumer(context, feature);
                await CachedResponseWriter.WriteAsync(exchange, entry, time.GetUtcNow(), position + 1);
                return;
            }

            live ??= await FindInRedisAsync(exchange.Endpoint, cache.Fingerprint, responseId);
        }

        if (live is not null && live.Fingerprint == cache.Fingerprint)
        {
            MarkResumer(context, feature);
            feature.Answer = live;
            SetHeader(context, CacheHeaders.Cache, CacheDecision.HeaderValue(cache.Status));
            await JoinAsync(exchange, live, reader, position + 1, gateway);
            return;
        }

        await OpenAiError.WriteAsync(context, StatusCodes.Status404NotFound, "invalid_request_error", "resume_not_found",
            "No answer with that Last-Event-ID is running or ended within Gateway:Resume:WindowSeconds; repeat the request without Last-Event-ID.",
            "Last-Event-ID");
    }

    /// <summary>
    /// A local copy of a stream another instance produced (or is producing), fed from its Redis log and resumable here
    /// until the resume window after it ends; or null when Redis has no log of it.
    /// </summary>
    private async Task<LiveResponse?> FindInRedisAsync(Endpoints.AiEndpoint endpoint, string fingerprint, string responseId)
    {
        if (_redis?.Database is null || responseId.Length != 16)
        {
            return null;
        }

        var copy = new LiveResponse(endpoint, fingerprint, responseId, isStream: true);
        var changed = copy.Changed;
        var feed = RedisLiveFeed.RunAsync(_redis, copy, responseId, mustExist: true);
        await Task.WhenAny(feed, changed);
        if (feed.IsCompleted && !feed.Result)
        {
            return null;
        }

        registry.Track(copy);
        _ = ReleaseWhenFedAsync(copy, feed);
        return copy;
    }

    private async Task ReleaseWhenFedAsync(LiveResponse copy, Task<bool> feed)
    {
        try
        {
            await feed;
        }
        finally
        {
            registry.Release(copy, TimeSpan.FromSeconds(options.CurrentValue.Resume.WindowSeconds));
        }
    }

    private static void MarkResumer(HttpContext context, DedupeFeature feature)
    {
        feature.Role = DedupeRoles.Resumer;
        SetHeader(context, DedupeHeader, DedupeRoles.Resumer);
    }

    // A keepalive may have started the response (a follower leading a fresh call after its leader was lost): its headers are sent.
    private static void SetHeader(HttpContext context, string name, string value)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Headers[name] = value;
        }
    }

    private static Task WriteFailureAsync(HttpContext context, LiveResponse live)
    {
        var response = context.Response;
        response.StatusCode = live.StatusCode;
        response.ContentType = "application/json";
        response.ContentLength = live.Body.Length;
        return response.Body.WriteAsync(live.Body).AsTask();
    }

    private static TimeSpan Grace(GatewayOptions gateway) => TimeSpan.FromSeconds(gateway.Resume.GraceSeconds);
}
