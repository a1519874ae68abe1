using System.Net;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Sdk;

/// <summary>The stream client is served by the gateway as it is in the repository, without a key, revalidated by ETag.</summary>
public sealed class SdkEndpointTests
{
    [Theory]
    [InlineData("sdk/aigw-stream.js", "text/javascript")]
    [InlineData("sdk/aigw-stream.d.ts", "application/typescript")]
    public async Task Get_VirtualKeysAndAdminKeyConfigured_ServesTheRepositoryFileWithoutAKey(string path, string mediaType)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Auth:Mode"] = "VirtualKeys",
            ["Gateway:Upstream:ApiKey"] = "sk-upstream",
            ["Gateway:Admin:Key"] = "admin-key",
        });

        using var response = await gateway.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var file = await File.ReadAllBytesAsync(Path.Combine(TestGateway.RepositoryRoot, "gateway", path.Replace("sdk/", "Sdk/", StringComparison.Ordinal)));
        Assert.Equal(file, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task Get_ModuleWithItsETag_304AndTheTypesNamed()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        using var first = await gateway.Client.GetAsync("sdk/aigw-stream.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "sdk/aigw-stream.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var revalidated = await gateway.Client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal("/sdk/aigw-stream.d.ts", first.Headers.GetValues("X-TypeScript-Types").Single());
        Assert.Equal("no-cache", first.Headers.CacheControl!.ToString());
    }
}
