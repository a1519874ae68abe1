using AiGateway.Tests.Infrastructure;
using AiGateway.Tests.Metrics;
using Microsoft.Playwright;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Dashboards;

/// <summary>The ai-metrics dashboard opens a call's stored payload from its row of "most expensive calls" (headless Chromium).</summary>
public sealed class PayloadViewerBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task ExpensiveCallRow_Clicked_ShowsItsRedactedPayload()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ops/test.sh installs Debian's chromium package (apt-get install -y chromium).");
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, MetricsApi.Settings(null));
        var admin = new AdminClient(gateway, MetricsApi.AdminKey);
        var org = new OrgCalls();
        await admin.JsonAsync(HttpMethod.Put, $"api/orgs/{org.OrgId}/settings", """{"payload_logging":"redacted"}""");
        using var call = await org.PostAsync(gateway, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write to ada@example.org about it"}]}""");
        var id = call.Headers.GetValues("x-aigw-request-id").Single();
        await Eventually.UntilAsync(async () =>
        {
            using var response = await admin.SendAsync(HttpMethod.Get, $"api/logs/{id}");
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using var view = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return view.RootElement.GetProperty("row").ValueKind == System.Text.Json.JsonValueKind.Object
                && view.RootElement.GetProperty("payload").ValueKind == System.Text.Json.JsonValueKind.Object;
        }, "the call's row and payload");

        var profile = Directory.CreateTempSubdirectory("aigw-chromium-").FullName;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // Playwright gives up on a wait after 30 s; under a starved two-core run a page can take longer.
        browser.SetDefaultTimeout(120_000);
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();

        await page.GotoAsync($"{gateway.BaseAddress}dev/ai-metrics?range=1h#key={MetricsApi.AdminKey}");
        await page.WaitForSelectorAsync("body[data-state=ready]");
        await page.ClickAsync("#table-expensive tbody tr.openable");
        await page.WaitForFunctionAsync("() => document.getElementById('payload-request').textContent.includes('[EMAIL_1]')");

        Assert.Equal(id, await page.TextContentAsync("#payload-id"));
        Assert.DoesNotContain("ada@example.org", await page.TextContentAsync("#payload-view"), StringComparison.Ordinal);
        Assert.Contains("redacted", await page.TextContentAsync("#payload-status"), StringComparison.Ordinal);
        Assert.Contains("[EMAIL_1]", await page.TextContentAsync("#payload-response"), StringComparison.Ordinal);
    }
}
