using System.Diagnostics;
using System.Globalization;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Identity;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// One OpenTelemetry span per understood call (GenAI semantic conventions), opened when the call is stamped and
/// described from its completed log row; <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null
/// (costs nothing) while no tracer listens.
/// </summary>
internal static class CallSpans
{
    /// <summary>The name of the gateway's activity source (and of its meter).</summary>
    public const string SourceName = "AiGateway";

    /// <summary>The call spans.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the span of a call, or returns null when no tracer listens.</summary>
    public static Activity? Start(AiCall call) =>
        Source.HasListeners() ? Source.StartActivity(call.Endpoint.OperationName, ActivityKind.Internal) : null;

    /// <summary>Names and describes the span from the call's completed row.</summary>
    public static void Describe(Activity activity, HttpContext context, AiCall call, PerfLogRecord row)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        var operation = call.Endpoint.OperationName;
        if (row.ModelRequested is { } requested)
        {
            activity.DisplayName = operation + " " + requested;
        }

        activity.SetTag("gen_ai.operation.name", operation);
        activity.SetTag("gen_ai.provider.name", "openai");
        activity.SetTag("gen_ai.request.model", row.ModelRequested);
        activity.SetTag("aigw.org_id", context.Features.Get<OrgIdentity>()?.OrgId);
        activity.SetTag("aigw.route", row.Route);
        activity.SetTag("aigw.stream", row.Stream);
        activity.SetTag("gen_ai.response.model", row.ModelUsed);
        activity.SetTag("gen_ai.usage.input_tokens", row.PromptTokens);
        activity.SetTag("gen_ai.usage.output_tokens", row.CompletionTokens);
        activity.SetTag("http.response.status_code", row.StatusCode);
        activity.SetTag("aigw.request_id", row.Id.ToString());
        activity.SetTag("aigw.mode", row.Mode);
        activity.SetTag("aigw.cache.status", row.CacheStatus);
        activity.SetTag("aigw.dedupe.role", row.DedupeRole);
        activity.SetTag("aigw.upstream.attempts", row.Attempts);
        activity.SetTag("aigw.cost_usd", row.CostUsd?.ToString(CultureInfo.InvariantCulture));
        activity.SetTag("aigw.saved_usd", row.SavedUsd?.ToString(CultureInfo.InvariantCulture));
        activity.AddEvent(new ActivityEvent("aigw.cache", tags: new ActivityTagsCollection { ["aigw.cache.status"] = row.CacheStatus }));
        if (row.DedupeRole is { } role)
        {
            activity.AddEvent(new ActivityEvent("aigw.dedupe", tags: new ActivityTagsCollection { ["aigw.dedupe.role"] = role }));
        }

        if (CostLogMiddleware.IsResumedStream(context, row))
        {
            activity.AddEvent(new ActivityEvent("aigw.stream.resume"));
        }

        if (call.FirstByteAt != 0)
        {
            // The event carries the moment the client got its first byte, not the moment the span closed.
            var firstByte = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(call.FirstByteAt);
            activity.AddEvent(new ActivityEvent("gen_ai.first_token", firstByte));
        }

        if (row.Error is { } error)
        {
            activity.SetTag("error.type", error);
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }
}
