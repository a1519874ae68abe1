using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Sdk;

/// <summary>
/// The stream client's <c>stop()</c> in a real browser (Debian's Chromium through Playwright) against a gateway whose
/// resume grace is ten minutes: as the only reader it stops the upstream call at once (the upstream sees its call closed,
/// well within the test's patience); as one of two readers of one deduped call it leaves the other's stream whole.
/// </summary>
public sealed class StreamClientStopBrowserTests(ChromiumBrowser chromium) : IClassFixture<ChromiumBrowser>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Starts openAIStream in the page under a name; its tokens and its final message are kept on window.streams[name].
    private const string StartStream = """
        async ({ moduleUrl, baseURL, body, name }) => {
          const { openAIStream } = await import(moduleUrl);
          window.streams ??= {};
          const state = window.streams[name] = { tokens: '', final: null, error: null };
          const { final, stop } = openAIStream(body, { baseURL, apiKey: 'sk-browser-stop', onToken: (token) => { state.tokens += token; } });
          state.stop = stop;
          final.then((message) => { state.final = { text: message.text, stopped: message.stopped === true, requestId: message.requestId }; },
                     (error) => { state.error = String(error); });
          return true;
        }
        """;

    [Fact]
    public async Task Stop_OnlyReader_UpstreamCallStopsLongBeforeTheResumeGrace()
    {
        await using var setup = await Setup.StartAsync();
        var page = await setup.OpenPageAsync(chromium);
        try
        {
            await setup.StartAsync(page, "only");
            await Eventually.UntilAsync(async () => await Tokens(page, "only") == "Hello", "the first token reached the page");

            await page.EvaluateAsync("() => window.streams.only.stop()");

            // The grace is ten minutes: the upstream call ends within the patience only because stop() released the reader.
            await setup.Upstream.Stopped.WaitAsync(Patience);
            var final = await Final(page, "only");
            Assert.True(final.GetProperty("stopped").GetBoolean());
            Assert.Equal("Hello", final.GetProperty("text").GetString());
            Assert.Equal(1, setup.Upstream.Calls);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Stop_OneOfTwoReaders_TheOtherStreamCompletes()
    {
        await using var setup = await Setup.StartAsync();
        var page = await setup.OpenPageAsync(chromium);
        try
        {
            await setup.StartAsync(page, "leaving");
            await Eventually.UntilAsync(async () => await Tokens(page, "leaving") == "Hello", "the first reader's first token");
            // The same request while the first runs: it joins the one upstream call.
            await setup.StartAsync(page, "staying");
            await Eventually.UntilAsync(async () => await Tokens(page, "staying") == "Hello", "the second reader's first token");

            await page.EvaluateAsync("() => window.streams.leaving.stop()");
            var stopped = await Final(page, "leaving");
            Assert.True(stopped.GetProperty("stopped").GetBoolean());
            // The release is answered once stop() resolves; the other reader still reads the call, so it goes on.
            var staying = await page.EvaluateAsync<string>("() => window.streams.staying.final?.requestId ?? null");
            Assert.Null(staying);
            setup.Upstream.Release();

            var final = await Final(page, "staying");
            Assert.Equal(HeldStreamUpstream.Text, final.GetProperty("text").GetString());
            Assert.False(final.GetProperty("stopped").GetBoolean());
            Assert.Equal(1, setup.Upstream.Calls);
            Assert.False(setup.Upstream.Stopped.IsCompleted);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private static Task<string> Tokens(Microsoft.Playwright.IPage page, string name) =>
        page.EvaluateAsync<string>($"() => window.streams?.{name}?.tokens ?? ''");

    private static async Task<JsonElement> Final(Microsoft.Playwright.IPage page, string name)
    {
        await Eventually.UntilAsync(async () => await page.EvaluateAsync<bool>($"() => window.streams.{name}.final !== null || window.streams.{name}.error !== null"),
            $"the {name} stream's final message");
        var error = await page.EvaluateAsync<string?>($"() => window.streams.{name}.error");
        Assert.Null(error);
        return await page.EvaluateAsync<JsonElement>($"() => window.streams.{name}.final");
    }

    /// <summary>A held upstream and a gateway with a ten-minute resume grace; the page is one of the gateway's own (same origin).</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly string _prompt = $"browser stop {Guid.NewGuid()}";

        private Setup(HeldStreamUpstream upstream, TestGateway gateway)
        {
            Upstream = upstream;
            Gateway = gateway;
        }

        public HeldStreamUpstream Upstream { get; }

        public TestGateway Gateway { get; }

        public static async Task<Setup> StartAsync()
        {
            var upstream = await HeldStreamUpstream.StartAsync();
            var gateway = await TestGateway.StartAsync(upstream.Upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Resume:GraceSeconds"] = "600" });
            return new Setup(upstream, gateway);
        }

        public async Task<Microsoft.Playwright.IPage> OpenPageAsync(ChromiumBrowser chromium)
        {
            var page = await chromium.Browser.NewPageAsync();
            await page.GotoAsync(new Uri(Gateway.BaseAddress, "healthz").ToString());
            return page;
        }

        public Task StartAsync(Microsoft.Playwright.IPage page, string name) =>
            page.EvaluateAsync<bool>(StartStream, new
            {
                moduleUrl = new Uri(Gateway.BaseAddress, "sdk/aigw-stream.js").ToString(),
                baseURL = Gateway.BaseAddress.ToString(),
                body = new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = _prompt } } },
                name,
            });

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }
}
