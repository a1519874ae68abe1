using AiGateway.Tests.Infrastructure;
using AiGateway.Tests.Metrics;
using Microsoft.Playwright;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Dashboards;

/// <summary>
/// Both dashboard pages in headless Chromium (Debian's package, driven by Playwright, no browser download) against a
/// gateway with real traffic: the charts draw from the API's data, the figures shown are the traffic's, and the page logs no
/// errors. Screenshots are kept under <c>screenshots/</c> in the test output folder (or <c>AIGW_SCREENSHOT_DIR</c>).
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Route = "browser.test";

    [Fact]
    public async Task Pages_RealTraffic_ChartsDrawnFiguresShownNoConsoleErrors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ops/test.sh installs Debian's chromium package (apt-get install -y chromium).");
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, MetricsApi.Settings(null));
        var calls = await SendTrafficAsync(gateway);
        await Eventually.UntilAsync(async () =>
            (await MetricsApi.GetAsync(gateway, "/api/metrics/ai-performance")).GetProperty("requests").GetInt64() == calls, "every call logged");

        var profile = Directory.CreateTempSubdirectory("aigw-chromium-").FullName;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        // Playwright gives up on a wait after 30 s; under a starved two-core run a chart can take longer to draw.
        browser.SetDefaultTimeout(120_000);
        try
        {
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            var errors = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Type is "error" or "warning")
                {
                    errors.Add(message.Text);
                }
            };
            page.PageError += (_, error) => errors.Add(error);

            // The key travels in the fragment, which no server sees; the page keeps it in this tab only.
            await page.GotoAsync($"{gateway.BaseAddress}dev/ai-metrics?range=1h#key={MetricsApi.AdminKey}");
            await page.WaitForSelectorAsync("body[data-state=ready]");
            Assert.Equal(calls.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.TextContentAsync("#kpi-requests"));
            Assert.Equal("3", await page.TextContentAsync("#kpi-hits"));
            foreach (var chart in new[] { "hit-rate", "requests", "cost-model", "cost-route", "duration-model", "slow-routes" })
            {
                Assert.True(await DrawnAsync(page, chart) > 0, $"chart {chart} drew nothing");
            }

            Assert.True(await page.Locator("#chart-requests path.series").CountAsync() >= 2);
            Assert.True(await page.Locator("#chart-cost-model rect.bar").CountAsync() >= 1);
            Assert.True(await DrawnAsync(page, "avg-cost-model") > 0, "chart avg-cost-model drew nothing");
            Assert.True(await DrawnAsync(page, "avg-cost-route") > 0, "chart avg-cost-route drew nothing");
            Assert.Contains(Route, await page.TextContentAsync("#table-called"));
            Assert.Matches(@"^\d+(\.\d+)?\s(ms|s|min) / \d+(\.\d+)?\s(ms|s|min)$", await page.TextContentAsync("#kpi-ttft"));
            Assert.Matches(@"^(\$\d+(\.\d+)?[kM]?|\d+(\.\d+)?\sµ\$)$", await page.TextContentAsync("#kpi-cost"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath("ai-metrics.png"), FullPage = true });
            await AssertCardsShownWholeAsync(page, "ai-metrics");

            // The costs link downloads the rollup of the range's days (with the key, which a plain link could not send).
            Assert.Contains("/api/costs.csv?from=", await page.GetAttributeAsync("#costs-csv", "href"));
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#costs-csv"));
            var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
            Assert.StartsWith("period,org_id,customer_id,route,model,requests,cache_hits,prompt_tokens,completion_tokens,cost_usd,saved_usd\r\n", csv);
            Assert.Contains("," + Route + ",", csv);

            // top= comes from the form and titles the route lists.
            await page.SelectOptionAsync("select[name=top]", "10");
            await page.WaitForFunctionAsync("() => document.querySelector('.top-n').textContent === '10'");
            Assert.Contains("top=10", page.Url);

            // A route with a single call: its one point is drawn as a column as wide as its bucket, not a lone dot.
            await page.GotoAsync($"{gateway.BaseAddress}dev/ai-metrics?range=24h&route=browser.other");
            await page.WaitForSelectorAsync("body[data-state=ready]");
            foreach (var chart in new[] { "hit-rate", "requests" })
            {
                var column = page.Locator($"#chart-{chart} rect.bucket").First;
                Assert.True(await column.CountAsync() > 0, $"chart {chart} drew its single point as a lone dot");
                Assert.True((await column.BoundingBoxAsync())!.Width >= 6, $"chart {chart}'s column is too thin to see");
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath("ai-metrics-one-call.png"), FullPage = true });
            await page.GotoAsync($"{gateway.BaseAddress}dev/ai-metrics?range=1h");
            await page.WaitForSelectorAsync("body[data-state=ready]");

            await page.ClickAsync("nav a[href*='/dev/stream-metrics']");
            await page.WaitForURLAsync("**/dev/stream-metrics**");
            await page.WaitForSelectorAsync("body[data-state=ready]");
            Assert.Equal("1h", await page.InputValueAsync("select[name=range]"));
            Assert.Equal("3", await page.TextContentAsync("#kpi-streams"));
            // One resume (read from its row: dedupe_role resumer), none of them at a second reconnect or later.
            Assert.Equal("1 (0)", await page.TextContentAsync("#kpi-resumes"));
            Assert.StartsWith("1 (", await page.TextContentAsync("#kpi-drops"));
            // "Live" read as "running now"; the card counts the range's streams that an upstream call answered.
            Assert.Equal("Streams from upstream", await page.TextContentAsync("#kpi-live + span"));
            Assert.Equal("2", await page.TextContentAsync("#kpi-live"));
            Assert.Matches(@"^\d+(\.\d+)?[kMB]?\stok/(s|min|h)$", await page.TextContentAsync("#kpi-throughput"));
            foreach (var chart in new[] { "throughput", "ttft", "drops", "sources", "ttft-model" })
            {
                Assert.True(await DrawnAsync(page, chart) > 0, $"chart {chart} drew nothing");
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath("stream-metrics.png"), FullPage = true });
            await AssertCardsShownWholeAsync(page, "stream-metrics");
            Assert.Empty(errors);

            // A tab without the key is asked for it, and draws once it is given.
            var fresh = await browser.NewPageAsync();
            await fresh.GotoAsync($"{gateway.BaseAddress}dev/ai-metrics?range=1h");
            await fresh.WaitForSelectorAsync("body[data-state=needs-key]");
            Assert.True(await fresh.IsVisibleAsync("#key-panel"));
            await fresh.FillAsync("#key", MetricsApi.AdminKey);
            await fresh.ClickAsync("#key-form button[type=submit]");
            await fresh.WaitForSelectorAsync("body[data-state=ready]");
            Assert.True(await DrawnAsync(fresh, "hit-rate") > 0);
        }
        finally
        {
            await browser.CloseAsync();
            Directory.Delete(profile, recursive: true);
        }
    }

    // Calls of every kind the pages chart: misses, hits, streams, a resume, a dropped stream and dedupe followers.
    private static async Task<int> SendTrafficAsync(TestGateway gateway)
    {
        var calls = 0;
        foreach (var model in new[] { "gpt-4o-mini", "gpt-4o", "gpt-4o-mini" })
        {
            var body = MetricsTraffic.ChatBody(model, stream: false);
            (await MetricsTraffic.SendAsync(gateway, body, Route)).Dispose();
            (await MetricsTraffic.SendAsync(gateway, body, Route)).Dispose();
            calls += 2;
        }

        (await MetricsTraffic.SendAsync(gateway, MetricsTraffic.ChatBody("gpt-4o-mini", stream: false), "browser.other")).Dispose();
        var streamBody = MetricsTraffic.ChatBody("gpt-4o", stream: true);
        // A little upstream latency keeps every stream's TTFT above the log's 1 ms resolution, so the TTFT chart has bars.
        var live = MetricsTraffic.Chat(streamBody, Route);
        live.Headers.Add("x-mock-latency-ms", "20");
        using (var stream = await gateway.Client.SendAsync(live, HttpCompletionOption.ResponseHeadersRead))
        {
            var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
            await reader.ReadAllAsync();
            (await MetricsTraffic.SendAsync(gateway, streamBody, Route, ("Last-Event-ID", reader.Ids[0]))).Dispose();
        }

        (await MetricsTraffic.SendAsync(gateway, MetricsTraffic.ChatBody("gpt-4o-mini", stream: true), Route, ("x-mock-drop-after-events", "2"), ("x-mock-latency-ms", "20"))).Dispose();
        var identical = MetricsTraffic.ChatBody("gpt-4o-mini", stream: false);
        foreach (var response in await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => MetricsTraffic.SendAsync(gateway, identical, Route, ("x-mock-latency-ms", "500")))))
        {
            response.Dispose();
        }

        return calls + 1 + 3 + 3;
    }

    // Every stat card shows its whole figure, at a wide and at a narrow window: nothing clipped or ellipsed.
    private static async Task AssertCardsShownWholeAsync(IPage page, string name)
    {
        foreach (var width in new[] { 1400, 760, 380 })
        {
            await page.SetViewportSizeAsync(width, 1000);
            var clipped = await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('.kpi b')].filter(b => b.scrollWidth > b.clientWidth || b.textContent.includes('…')).map(b => b.id + ': ' + b.textContent)");
            Assert.True(clipped.Length == 0, $"{name} at {width} px cuts {string.Join("; ", clipped)}");
            if (width == 380)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath($"{name}-narrow.png"), FullPage = true });
            }
        }

        await page.SetViewportSizeAsync(1400, 1000);
    }

    private static async Task<int> DrawnAsync(IPage page, string chart)
        => int.Parse(await page.GetAttributeAsync($"#chart-{chart}", "data-drawn") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    private static string ScreenshotPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("AIGW_SCREENSHOT_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
