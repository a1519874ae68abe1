using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AiGateway.Tests.Infrastructure;
using AiGateway.Tests.Metrics;
using Microsoft.Playwright;
using Xunit;

namespace AiGateway.Tests.Dashboards;

/// <summary>
/// <c>/dev/stream-metrics</c> in Chromium after the four things the stream client reports or does, each made as a client
/// makes it: a stream dropped mid-way, its resume at the first reconnect, the non-streamed fallback answered from the same
/// generation, and a stream stopped by a release. The page shows each, counted from the rows; and a call still running
/// is in its in-flight table.
/// </summary>
public sealed class StreamMetricsPageTests(ChromiumBrowser chromium) : IClassFixture<ChromiumBrowser>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Key = "sk-stream-page";

    [Fact]
    public async Task StreamsPage_DropResumeFallbackAndStop_EachShownFromTheRows()
    {
        await using var upstream = await HeldStreamUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.Upstream.BaseAddress, MetricsApi.Settings(null));
        // Drops close the connection at once, as a broken network does (no draining of the rest of the answer).
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = gateway.BaseAddress, Timeout = Patience };
        var dropped = Body("dropped");
        var stopped = Body("stopped");

        // A drop: the client reads the first event and its connection breaks; the call goes on for the resume grace.
        var lastEventId = await ReadFirstEventAndLeaveAsync(client, dropped);
        // A stop: the same, then the release stop() sends; the call ends at once.
        var stoppedId = await ReadFirstEventAndLeaveAsync(client, stopped, requestId: true);
        using (var release = await client.SendAsync(Request(HttpMethod.Post, $"api/inflight/{stoppedId}/release")))
        {
            Assert.Equal(HttpStatusCode.Accepted, release.StatusCode);
        }

        // The resume at the first reconnect picks the dropped stream up where it broke, and reads it to its end.
        var resume = Request(HttpMethod.Post, "v1/chat/completions", ("Last-Event-ID", lastEventId), ("x-aigw-resume-attempt", "1"));
        resume.Content = new StringContent(dropped, Encoding.UTF8, "application/json");
        using (var resumed = await client.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal("resumer", resumed.Headers.GetValues("x-aigw-dedupe").Single());
            upstream.Release();
            Assert.Contains("[DONE]", await resumed.Content.ReadAsStringAsync());
        }

        // The fallback: the same request without stream, with the Last-Event-ID, answered from the same generation.
        var fallback = Request(HttpMethod.Post, "v1/chat/completions", ("Last-Event-ID", lastEventId), ("x-aigw-fallback", "non-stream"));
        fallback.Content = new StringContent(dropped.Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        using (var answer = await client.SendAsync(fallback))
        {
            Assert.Equal("resumer", answer.Headers.GetValues("x-aigw-dedupe").Single());
            Assert.Contains(HeldStreamUpstream.Text, await answer.Content.ReadAsStringAsync());
        }

        await Eventually.UntilAsync(async () =>
        {
            var series = await MetricsApi.GetAsync(gateway, "/api/metrics/ai-performance/timeseries?bucket=minute");
            return new[] { "stream_drops", "stream_resumes", "stream_fallbacks", "stream_stops" }.All(name => Sum(series, name) == 1);
        }, "the four rows are logged");
        // One call still running, for the in-flight table.
        upstream.Hold();
        using var running = await client.SendAsync(Chat(Body("running")), HttpCompletionOption.ResponseHeadersRead);
        var runningId = running.Headers.GetValues("x-aigw-request-id").Single();

        var page = await chromium.Browser.NewPageAsync();
        try
        {
            var errors = new List<string>();
            page.PageError += (_, error) => errors.Add(error);
            page.Console += (_, message) =>
            {
                if (message.Type is "error")
                {
                    errors.Add(message.Text);
                }
            };
            await page.GotoAsync($"{gateway.BaseAddress}dev/stream-metrics?range=1h#key={MetricsApi.AdminKey}");
            await page.WaitForSelectorAsync("body[data-state=ready]");
            await page.WaitForSelectorAsync("#table-inflight[data-loaded=true]");

            Assert.StartsWith("1 (", await page.TextContentAsync("#kpi-drops"));
            Assert.Equal("1 (0)", await page.TextContentAsync("#kpi-resumes"));
            Assert.Equal("1", await page.TextContentAsync("#kpi-fallbacks"));
            Assert.Equal("1", await page.TextContentAsync("#kpi-stops"));
            Assert.True(int.Parse(await page.GetAttributeAsync("#chart-drops", "data-drawn") ?? "0", CultureInfo.InvariantCulture) > 0);
            var inflight = await page.TextContentAsync("#table-inflight tbody");
            Assert.Contains(runningId, inflight);
            Assert.Contains("stream", inflight);
            Assert.Empty(errors);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private static async Task<string> ReadFirstEventAndLeaveAsync(HttpClient client, string body, bool requestId = false)
    {
        using var response = await client.SendAsync(Chat(body), HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        Assert.Contains("Hello", await reader.ReadEventAsync().WaitAsync(Patience));
        return requestId ? response.Headers.GetValues("x-aigw-request-id").Single() : reader.Ids[0];
    }

    private static long Sum(System.Text.Json.JsonElement series, string name) =>
        series.GetProperty("points").EnumerateArray().Sum(point => point.GetProperty(name).GetInt64());

    private static string Body(string label) =>
        $"{{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"{label} {Guid.NewGuid()}\"}}]}}";

    private static HttpRequestMessage Chat(string body)
    {
        var request = Request(HttpMethod.Post, "v1/chat/completions");
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
