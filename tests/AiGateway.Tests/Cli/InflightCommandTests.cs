using System.Net.Http.Headers;
using System.Text;
using AiGateway.Cli;
using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>The <c>inflight list</c> and <c>inflight cancel</c> verbs against a running gateway.</summary>
public sealed class InflightCommandTests
{
    private const string AdminKey = "cli-inflight-admin";

    [Fact]
    public async Task ListThenCancel_ACallRunning_ListedThenCancelledForItsReader()
    {
        await using var upstream = await HeldStreamUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.Upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Admin:Key"] = AdminKey });
        using var stream = await StartStreamAsync(gateway);
        var id = stream.Headers.GetValues("x-aigw-request-id").Single();
        var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
        Assert.Contains("Hello", await reader.ReadEventAsync());

        var (listCode, listed, _) = await RunAsync("inflight", "list", "--url", gateway.BaseAddress.ToString(), "--admin-key", AdminKey);
        // The admin key may also come from the configuration, as every verb reads it.
        var (filteredCode, filtered, _) = await RunAsync("inflight", "list", "--url", gateway.BaseAddress.ToString(), "--org", "nobody", $"--Gateway:Admin:Key={AdminKey}");
        var (cancelCode, cancelled, _) = await RunAsync("inflight", "cancel", id, "--url", gateway.BaseAddress.ToString(), "--admin-key", AdminKey);
        var rest = await reader.ReadAllAsync();
        var (againCode, _, again) = await RunAsync("inflight", "cancel", id, "--url", gateway.BaseAddress.ToString(), "--admin-key", AdminKey);

        Assert.Equal(0, listCode);
        var line = Assert.Single(listed.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains("\tcli.test\tgpt-4o-mini\tstream\t", line);
        Assert.Equal(0, filteredCode);
        Assert.DoesNotContain(id, filtered);
        Assert.Equal((0, "cancelled " + id), (cancelCode, cancelled.Trim()));
        Assert.Contains("\"code\":\"cancelled\"", Assert.Single(rest));
        Assert.Equal(1, againCode);
        Assert.Contains("404", again);
    }

    [Fact]
    public async Task List_WrongAdminKey_Exit1WithTheGatewaysMessage()
    {
        await using var upstream = await HeldStreamUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.Upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Admin:Key"] = AdminKey });

        var (code, _, error) = await RunAsync("inflight", "list", "--url", gateway.BaseAddress.ToString(), "--admin-key", "wrong");

        Assert.Equal(1, code);
        Assert.Contains("401", error);
        Assert.Contains("Gateway:Admin:Key", error);
    }

    [Fact]
    public async Task Cancel_NoId_UsageError()
    {
        var (code, _, error) = await RunAsync("inflight", "cancel");

        Assert.Equal(2, code);
        Assert.NotEmpty(error);
    }

    private static async Task<HttpResponseMessage> StartStreamAsync(TestGateway gateway)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($"{{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"cli {Guid.NewGuid()}\"}}]}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-cli-inflight");
        request.Headers.Add("x-aigw-route", "cli.test");
        return await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCommandLine.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
