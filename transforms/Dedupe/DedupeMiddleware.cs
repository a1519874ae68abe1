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
using Microsoft.Net.Http.Headers;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// Proxy-pipeline step after the cache lookup: gives the call its <see cref="LiveResponse"/> and makes it the leader
/// of its fingerprint, or a follower of the identical call already in flight (which then never calls upstream),
/// or — with <c>Last-Event-ID</c> — a resumer of an answer in flight or recently ended.
/// </summary>
internal sealed class DedupeMiddleware(LiveResponseRegistry registry, IResponseCacheStore store, IOptionsMonitor<GatewayOptions> options, TimeProvider time, IServiceProvider services)
{
    // Null without Redis: dedupe and resume then work within this instance.
    private readonly RedisConnection? _redis = services.GetService<RedisConnection>();
    private readonly RedisLeaseRenewer? _renewer = services.GetService<RedisLeaseRenewer>();

    /// <summary>The request and response header of dedupe.</summary>
    public const string DedupeHeader = "x-aigw-dedupe";

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

        var feature = new DedupeFeature();
        context.Features.Set(feature);
        var gateway = options.CurrentValue;
        if (context.Request.Headers.TryGetValue("Last-Event-ID", out var lastEventId) && exchange.IsStream)
        {
            await ResumeAsync(exchange, cache, lastEventId.ToString(), gateway);
            return;
        }

        var dedupe = !string.Equals(context.Request.Headers[DedupeHeader], "off", StringComparison.OrdinalIgnoreCase)
            && (context.Features.Get<CallSettings>()?.DedupeEnabled ?? true);
        var sinks = AnswerSinks.For(context);
        while (true)
        {
            var live = new LiveResponse(exchange.Endpoint, cache.Fingerprint, SseEventId.NewResponseId(), exchange.IsStream, sinks);
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
                await LeadAsync(context, feature, live, dedupe, gateway, next);
                return;
            }

            context.Response.Headers[DedupeHeader] = DedupeRoles.Follower;
            feature.Role = DedupeRoles.Follower;
            feature.Answer = leader;
            context.Response.Headers[CacheHeaders.Cache] = CacheDecision.HeaderValue(cache.Status);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            wait.CancelAfter(TimeSpan.FromSeconds(gateway.Dedupe.MaxWaitSeconds));
            var outcome = await LiveResponseWriter.WriteAsync(context, leader, 0, exchange.ClientWantsStreamUsage, writeHeaders: true, wait.Token, Grace(gateway));
            if (outcome != LiveResponseWriter.Outcome.LeaderGone || context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            // The leader's own client left before the upstream answered: this call leads a fresh attempt.
            context.Response.Headers.Remove(DedupeHeader);
            feature.Role = null;
            feature.Answer = null;
        }
    }

    private async Task LeadAsync(HttpContext context, DedupeFeature feature, LiveResponse live, bool dedupe, GatewayOptions gateway, RequestDelegate next)
    {
        if (dedupe)
        {
            context.Response.Headers[DedupeHeader] = DedupeRoles.Leader;
            feature.Role = DedupeRoles.Leader;
        }

        feature.Answer = live;
        context.Features.Set(new LeadingAnswer(live));
        registry.Track(live);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await next(context);
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

            registry.Release(live, TimeSpan.FromSeconds(gateway.Resume.WindowSeconds));
        }
    }

    /// <summary>
    /// Takes the fingerprint's Redis lease and mirrors <paramref name="live"/> for other instances; or, when another
    /// instance leads, puts in flight a local copy of its answer fed from Redis and returns that copy to follow.
    /// </summary>
    private async Task<LiveResponse> LeadAcrossInstancesAsync(StackExchange.Redis.IDatabase database, LiveResponse live, GatewayOptions gateway)
    {
        var lease = TimeSpan.FromSeconds(gateway.Dedupe.LeaseSeconds);
        var window = TimeSpan.FromSeconds(gateway.Resume.WindowSeconds);
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (await RedisLeaderLease.TryAcquireAsync(database, live.Fingerprint, live.ResponseId, lease))
                {
                    // The mirror lets go with the end entry, before the answer is complete here: a request sent after a
                    // client saw the end leads a new call, and a follower that finds the lease gone finds the end in the log.
                    live.Sinks?.Add(RedisLiveMirror.Start(_redis!, _renewer!, live, lease, window));
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

    private async Task ResumeAsync(AiExchange exchange, CacheFeature cache, string lastEventId, GatewayOptions gateway)
    {
        var context = exchange.HttpContext;
        if (!SseEventId.TryParse(lastEventId, out var responseId, out var position))
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_last_event_id",
                "Last-Event-ID must be an event id this gateway sent (<response id>:<position>).", "Last-Event-ID");
            return;
        }

        // The fingerprint check keeps a resume inside the org (and request) that started the answer.
        var live = registry.Find(responseId) ?? await FindInRedisAsync(exchange, cache, responseId, gateway);
        if (live is not null && live.Fingerprint == cache.Fingerprint)
        {
            context.Response.Headers[CacheHeaders.Cache] = CacheDecision.HeaderValue(cache.Status);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            wait.CancelAfter(TimeSpan.FromSeconds(gateway.Dedupe.MaxWaitSeconds));
            await LiveResponseWriter.WriteAsync(context, live, position + 1, exchange.ClientWantsStreamUsage, writeHeaders: true, wait.Token, Grace(gateway));
            return;
        }

        using var entry = await store.GetAsync(cache.Fingerprint, context.RequestAborted);
        if (entry is not null && entry.ResponseId == responseId)
        {
            await CachedResponseWriter.WriteAsync(exchange, entry, time.GetUtcNow(), position + 1);
            return;
        }

        await OpenAiError.WriteAsync(context, StatusCodes.Status404NotFound, "invalid_request_error", "resume_not_found",
            "No answer with that Last-Event-ID is running or ended within Gateway:Resume:WindowSeconds; repeat the request without Last-Event-ID.",
            "Last-Event-ID");
    }

    /// <summary>A local copy of an answer another instance produced (or is producing), or null when Redis has no log of it.</summary>
    private async Task<LiveResponse?> FindInRedisAsync(AiExchange exchange, CacheFeature cache, string responseId, GatewayOptions gateway)
    {
        if (_redis?.Database is null || responseId.Length != 16)
        {
            return null;
        }

        var copy = new LiveResponse(exchange.Endpoint, cache.Fingerprint, responseId, exchange.IsStream);
        var changed = copy.Changed;
        var feed = RedisLiveFeed.RunAsync(_redis, copy, responseId, mustExist: true);
        await Task.WhenAny(feed, changed);
        if (feed.IsCompleted && !feed.Result)
        {
            return null;
        }

        registry.Track(copy);
        registry.Release(copy, TimeSpan.FromSeconds(gateway.Resume.WindowSeconds));
        return copy;
    }

    private static TimeSpan Grace(GatewayOptions gateway) => TimeSpan.FromSeconds(gateway.Resume.GraceSeconds);
}
