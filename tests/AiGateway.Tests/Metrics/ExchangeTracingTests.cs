using System.Collections.Concurrent;
using System.Diagnostics;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using OpenTelemetry.Trace;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary>One span per understood call, with the route, org, model, cache and dedupe outcome; a tracer only when OTLP is configured.</summary>
public sealed class ExchangeTracingTests
{
    [Fact]
    public async Task Call_WithListener_SpanCarriesRouteModelCacheAndRequestId()
    {
        var route = "trace." + Guid.NewGuid().ToString("N")[..8];
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("aigw.route") == route)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var body = MetricsTraffic.ChatBody("gpt-4o-mini", stream: false);

        using var miss = await MetricsTraffic.SendAsync(gateway, body, route);
        using var hit = await MetricsTraffic.SendAsync(gateway, body, route);
        await Eventually.UntilAsync(() => spans.Count == 2, "both spans ended");

        var byId = spans.ToDictionary(s => (string)s.GetTagItem("aigw.request_id")!);
        var missSpan = byId[miss.Headers.GetValues("x-aigw-request-id").Single()];
        var hitSpan = byId[hit.Headers.GetValues("x-aigw-request-id").Single()];
        Assert.Equal("chat gpt-4o-mini", missSpan.DisplayName);
        Assert.Equal("chat", missSpan.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("gpt-4o-mini", missSpan.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-4o-mini", missSpan.GetTagItem("gen_ai.response.model"));
        Assert.StartsWith("pt_", (string)missSpan.GetTagItem("aigw.org_id")!);
        Assert.Equal(("miss", "leader"), (missSpan.GetTagItem("aigw.cache.status"), missSpan.GetTagItem("aigw.dedupe.role")));
        Assert.True((long)missSpan.GetTagItem("gen_ai.usage.input_tokens")! > 0);
        Assert.Equal("hit", hitSpan.GetTagItem("aigw.cache.status"));
        Assert.Contains(hitSpan.Events, e => e.Name == "aigw.cache" && (string?)e.Tags.Single().Value == "hit");
    }

    [Fact]
    public async Task Start_OtlpEndpoint_TracerOnlyWhenConfigured()
    {
        await using var plain = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9/"));
        // Loopback port 9 (discard): nothing listens, the exporter's sends fail quietly.
        await using var exporting = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9/"),
            new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" });

        Assert.Null(plain.Services.GetService<TracerProvider>());
        Assert.NotNull(exporting.Services.GetService<TracerProvider>());
    }
}
