using Microsoft.Playwright;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// Headless Chromium from Debian's package (<c>/usr/bin/chromium</c>, installed by ops/test.sh), driven by Playwright;
/// no browser is downloaded. One per test class (<c>IClassFixture</c>); each test opens its own context.
/// </summary>
public sealed class ChromiumBrowser : Xunit.IAsyncLifetime
{
    /// <summary>Debian's Chromium.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: ops/test.sh installs Debian's chromium package (apt-get install -y chromium).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
