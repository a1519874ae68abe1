using System.Globalization;
using System.Text.RegularExpressions;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Sdk;

/// <summary>
/// The stream client in Node, through a real gateway in front of the mock upstream: the tests themselves are JavaScript
/// (<c>tests/js/*.test.js</c>, each cutting streams with its own TCP relay); this runs them and shows their output when
/// one fails.
/// </summary>
public sealed class NodeSdkTests
{
    [Fact]
    public async Task OpenAiSdkWithAigwFetch_StreamCutMidway_CompletesThroughTheSdkIterator()
        => await RunAsync("openai-sdk.test.js");

    [Fact]
    public async Task OpenAIStream_CutsUpstreamFailuresErrorsAndStop_BehaveAsDocumented()
        => await RunAsync("aigw-stream.test.js");

    private static async Task RunAsync(string file)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        var (exitCode, output) = await NodeTestRun.RunAsync(file, gateway);

        Assert.True(exitCode == 0, $"node --test {file} exited with {exitCode}:\n{output}");
        // A file whose tests all went missing would exit 0 too.
        var passed = Regex.Match(output, @"^\S+ pass (\d+)$", RegexOptions.Multiline);
        Assert.True(passed.Success && int.Parse(passed.Groups[1].Value, CultureInfo.InvariantCulture) > 0, $"node --test {file} ran no test:\n{output}");
    }
}
