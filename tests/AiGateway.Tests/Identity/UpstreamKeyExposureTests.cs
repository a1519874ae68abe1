using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AiGateway.Cli;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Identity;

/// <summary>
/// VirtualKeys mode: the real upstream key goes upstream and nowhere else. The gateway runs as its own process with
/// every log category at Trace, so every line it writes is read, and every response of the traffic (answers, streams,
/// refusals, an upstream error, the operator surfaces and <c>/metrics</c>) is searched for the key.
/// </summary>
public sealed class UpstreamKeyExposureTests
{
    [Fact]
    public async Task VirtualKeys_TrafficOfEveryKind_UpstreamKeyInNoResponseLogLineOrMetrics()
    {
        var upstreamKey = "sk-proj-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        const string adminKey = "exposure-test-admin";
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        var dataDir = Directory.CreateTempSubdirectory("aigw-exposure-").FullName;
        var output = new StringBuilder();
        var exitCode = 0;
        try
        {
            var virtualKey = await CreateKeyAsync(dataDir);
            using var gateway = await StartGatewayAsync(dataDir, upstream.BaseAddress, upstreamKey, adminKey, output);
            var client = gateway.Client;

            var seen = new List<string>();
            async Task SendAsync(HttpMethod method, string path, string? body = null, string? key = null, params (string Name, string Value)[] headers)
            {
                using var request = new HttpRequestMessage(method, path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                if (key is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                }

                foreach (var (name, value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await client.SendAsync(request);
                seen.Add($"{method} {path} -> {(int)response.StatusCode}\n{response.Headers}{response.Content.Headers}\n{await response.Content.ReadAsStringAsync()}");
            }

            var chat = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]}";
            var stream = chat.Replace("{\"model\"", "{\"stream\":true,\"model\"");
            await SendAsync(HttpMethod.Post, "v1/chat/completions", chat, virtualKey);
            await SendAsync(HttpMethod.Post, "v1/chat/completions", chat, virtualKey);
            await SendAsync(HttpMethod.Post, "v1/chat/completions", stream, virtualKey);
            await SendAsync(HttpMethod.Post, "v1/chat/completions", stream, virtualKey);
            await SendAsync(HttpMethod.Post, "v1/chat/completions", stream.Replace("user", "system"), virtualKey, ("x-mock-drop-after-events", "2"));
            await SendAsync(HttpMethod.Post, "v1/chat/completions", chat.Replace("user", "system"), virtualKey, ("x-mock-status", "500"));
            await SendAsync(HttpMethod.Post, "v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}", virtualKey);
            await SendAsync(HttpMethod.Get, "v1/models", key: virtualKey);
            await SendAsync(HttpMethod.Post, "v1/chat/completions", chat, "aigw_not-a-key");
            await SendAsync(HttpMethod.Post, "v1/chat/completions", chat, upstreamKey);
            await SendAsync(HttpMethod.Post, "v1/chat/completions", "{not json", virtualKey);
            await SendAsync(HttpMethod.Get, "healthz");
            await SendAsync(HttpMethod.Get, "readyz");
            await SendAsync(HttpMethod.Get, "metrics", key: adminKey);
            await SendAsync(HttpMethod.Get, "api/metrics/ai-performance", key: adminKey);
            await SendAsync(HttpMethod.Get, "api/metrics/ai-performance/timeseries", key: adminKey);
            await SendAsync(HttpMethod.Get, "api/costs.csv", key: adminKey);
            await SendAsync(HttpMethod.Get, "dev/ai-metrics");

            // The key is in use: the upstream got it on the calls it answered.
            Assert.Contains(upstream.Requests, r => r.Headers.TryGetValue("Authorization", out var value) && value == "Bearer " + upstreamKey);
            // The call that presented the upstream key itself was refused: it is not a virtual key.
            Assert.Contains(seen, s => s.StartsWith("POST v1/chat/completions -> 401", StringComparison.Ordinal));
            foreach (var response in seen)
            {
                Assert.DoesNotContain(upstreamKey, response);
                Assert.DoesNotContain(upstreamKey[8..40], response);
            }

            exitCode = await gateway.StopAsync();
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }

        var log = output.ToString();
        Assert.True(exitCode == 0, $"the gateway exited with {exitCode}:\n{log}");
        Assert.Contains("Request finished", log);
        Assert.DoesNotContain(upstreamKey, log);
        Assert.DoesNotContain(upstreamKey[8..40], log);
    }

    private static async Task<string> CreateKeyAsync(string dataDir)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(0 == await GatewayCommandLine.RunAsync(["keys", "create", "--org", "acme", "--name", "exposure", $"--Gateway:DataDir={dataDir}"], output, error), error.ToString());
        return output.ToString().Trim();
    }

    // The built gateway beside this test assembly, as `dotnet AiGateway.dll` runs it; every category at Trace.
    private static Task<GatewayProcess.Server> StartGatewayAsync(string dataDir, Uri upstream, string upstreamKey, string adminKey, StringBuilder output)
        => GatewayProcess.StartServerAsync(
            [
                $"--Gateway:DataDir={dataDir}",
                "--Gateway:Auth:Mode=VirtualKeys",
                $"--Gateway:Admin:Key={adminKey}",
                $"--ReverseProxy:Clusters:openai:Destinations:primary:Address={upstream.ToString().TrimEnd('/')}",
                "--Gateway:Upstream:MaxRetries=0",
                "--Logging:LogLevel:Default=Trace",
                "--Logging:LogLevel:Microsoft=Trace",
                "--Logging:LogLevel:Microsoft.AspNetCore=Trace",
                "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Trace",
                "--Logging:LogLevel:System=Trace",
                "--Logging:LogLevel:Yarp=Trace",
            ],
            // From the environment, as operators set it (CONTRACT §9).
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = upstreamKey, ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            output);
}
