using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AiGateway.Tests.Upstream;

/// <summary>The per-destination circuit breaker and the primary-first fallback.</summary>
public sealed class UpstreamCircuitBreakerPolicyTests
{
    [Fact]
    public async Task Requests_PrimaryFailsRepeatedly_CircuitOpensFallbackServesThenPrimaryBack()
    {
        var primaryHealthy = false;
        var primaryCalls = 0;
        await using var primary = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref primaryCalls);
            context.Response.StatusCode = Volatile.Read(ref primaryHealthy) ? 200 : 503;
            await context.Response.WriteAsync("primary");
        });
        await using var fallback = await ScriptedUpstream.StartAsync(context => context.Response.WriteAsync("fallback"));
        await using var gateway = await TestGateway.StartAsync(primary.BaseAddress,
            new Dictionary<string, string> { ["Gateway:Upstream:CircuitBreakerFailures"] = "3", ["Gateway:Upstream:MaxRetries"] = "0" },
            json =>
            {
                var cluster = json["ReverseProxy"]!["Clusters"]!["openai"]!.AsObject();
                cluster["Destinations"]!["fallback"] = new JsonObject { ["Address"] = fallback.BaseAddress.ToString() };
                cluster["LoadBalancingPolicy"] = "PrimaryFirst";
                cluster["HealthCheck"] = new JsonObject
                {
                    // Long enough that the checks made while the circuit is open finish inside it on a starved machine.
                    ["Passive"] = new JsonObject { ["Enabled"] = true, ["Policy"] = "UpstreamCircuitBreaker", ["ReactivationPeriod"] = "00:00:05" },
                };
            });

        // Closed: the primary answers (and fails) while failures stay under the threshold.
        for (var i = 0; i < 3; i++)
        {
            using var failed = await PostChatAsync(gateway);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal("primary", await failed.Content.ReadAsStringAsync());
        }

        // Open: the fallback answers (the health update is applied asynchronously: poll, bounded).
        Assert.Equal("fallback", await PollForAsync(gateway, "fallback"));
        var callsWhileOpen = Volatile.Read(ref primaryCalls);
        using (var served = await PostChatAsync(gateway))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("fallback", await served.Content.ReadAsStringAsync());
        }

        Assert.Equal(callsWhileOpen, Volatile.Read(ref primaryCalls));

        // Half-open after the reactivation period: the healed primary gets traffic again and the circuit closes.
        Volatile.Write(ref primaryHealthy, true);
        Assert.Equal("primary", await PollForAsync(gateway, "primary"));
        using var closed = await PostChatAsync(gateway);
        Assert.Equal("primary", await closed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Requests_OnlyDestinationCircuitOpen_503UpstreamUnavailableWithoutCallingIt()
    {
        var calls = 0;
        await using var primary = await ScriptedUpstream.StartAsync(context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        await using var gateway = await TestGateway.StartAsync(primary.BaseAddress,
            new Dictionary<string, string> { ["Gateway:Upstream:CircuitBreakerFailures"] = "2", ["Gateway:Upstream:MaxRetries"] = "0" },
            json => json["ReverseProxy"]!["Clusters"]!["openai"]!["HealthCheck"] = new JsonObject
            {
                // YARP's default (HealthyOrPanic) would keep using a lone unhealthy destination; this fails fast instead.
                ["AvailableDestinationsPolicy"] = "HealthyAndUnknown",
                ["Passive"] = new JsonObject { ["Enabled"] = true, ["Policy"] = "UpstreamCircuitBreaker", ["ReactivationPeriod"] = "00:10:00" },
            });

        HttpResponseMessage? response = null;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            response?.Dispose();
            response = await PostChatAsync(gateway);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                break;
            }

            await Task.Delay(50);
        }

        await OpenAiErrorAssert.IsErrorAsync(response!, StatusCodes.Status503ServiceUnavailable, "upstream_unavailable");
        var callsWhileOpen = Volatile.Read(ref calls);
        using var again = await PostChatAsync(gateway);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        Assert.Equal(callsWhileOpen, Volatile.Read(ref calls));
        response!.Dispose();
    }

    // Polls until the expected destination answers (bounded well past the reactivation period, by Eventually's bound).
    private static async Task<string> PollForAsync(TestGateway gateway, string expected)
    {
        var answer = "";
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                using var response = await PostChatAsync(gateway);
                answer = await response.Content.ReadAsStringAsync();
                return answer == expected;
            }, "the destination answers: " + expected);
        }
        catch (TimeoutException)
        {
        }

        return answer;
    }

    private static Task<HttpResponseMessage> PostChatAsync(TestGateway gateway)
    {
        // no-store: every call reaches a destination instead of the cache.
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"m\",\"messages\":[]}", Encoding.UTF8, "application/json"),
        };
        request.Headers.CacheControl = new() { NoStore = true };
        return gateway.Client.SendAsync(request);
    }
}
