using System.Net.Http.Headers;
using System.Text;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Exchange;

/// <summary>What a client controls in an understood call's body is bounded before anything goes upstream (CONTRACT §10.9).</summary>
public sealed class AiExchangeMiddlewareTests
{
    [Theory]
    [InlineData("\"gpt 4o\"")]
    [InlineData("\"gpt-4o\\n\"")]
    [InlineData("\"\"")]
    [InlineData("\"gpt-4o\\u00e9\"")]
    [InlineData("123")]
    [InlineData("null")]
    [InlineData("[\"gpt-4o\"]")]
    public async Task Post_ModelOutsideTheAllowedShape_400InvalidModelAndNeverForwarded(string model)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        foreach (var path in new[] { "v1/chat/completions", "v1/responses", "v1/embeddings", "v1/completions" })
        {
            using var response = await gateway.Client.SendAsync(Post(path, "{\"model\":" + model + ",\"input\":\"hi\",\"prompt\":\"hi\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));

            await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_model");
        }

        Assert.Equal(0, upstream.RequestCount);
    }

    [Theory]
    [InlineData(257)]
    [InlineData(500_000)]
    public async Task Post_ModelOverTheLengthLimit_400AndNeverForwardedNorEchoed(int length)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var response = await gateway.Client.SendAsync(Chat(new string('m', length)));

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_model");
        Assert.DoesNotContain(response.Headers, h => h.Value.Any(v => v.Length > 1024));
        Assert.Equal(0, upstream.RequestCount);
    }

    [Theory]
    [InlineData("ft:gpt-4o-mini:acme::abc123")]
    [InlineData("meta-llama/Llama-3.1-8B@v1+fp8")]
    [InlineData("gpt-4o_2024.08.06")]
    public async Task Post_ModelInTheAllowedShape_ForwardedAndEchoed(string model)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var response = await gateway.Client.SendAsync(Chat(model));
        using var longest = await gateway.Client.SendAsync(Chat(new string('m', 256)));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(model, response.Headers.GetValues("x-aigw-model").Single());
        Assert.Equal(200, (int)longest.StatusCode);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("a\\uDFFFb")]
    [InlineData("\\ud83d")]
    [InlineData("\\ud83d\\u0041")]
    public async Task Post_LoneSurrogateEscape_400InvalidJsonAndNeverForwarded(string content)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var inContent = await gateway.Client.SendAsync(Post("v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}"));
        using var inModel = await gateway.Client.SendAsync(Post("v1/responses", "{\"model\":\"" + content + "\",\"input\":\"hi\"}"));
        using var inName = await gateway.Client.SendAsync(Post("v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\",\"" + content + "\":1}"));

        await OpenAiErrorAssert.IsErrorAsync(inContent, 400, "invalid_json");
        await OpenAiErrorAssert.IsErrorAsync(inModel, 400, "invalid_json");
        await OpenAiErrorAssert.IsErrorAsync(inName, 400, "invalid_json");
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task Post_InvalidUtf8InAString_400InvalidJsonAndNeverForwarded()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        byte[][] bodies =
        [
            Bytes("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"", [0xC3, 0x28], "\"}]}"),
            Bytes("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"", [0xFF], "\"}]}"),
            // An encoded surrogate (CESU-8), which UTF-8 forbids.
            Bytes("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"", [0xED, 0xA0, 0x80], "\"}]}"),
        ];

        foreach (var body in bodies)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-hostile-test");
            using var response = await gateway.Client.SendAsync(request);

            await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_json");
        }

        Assert.Equal(0, upstream.RequestCount);
    }

    [Theory]
    [InlineData("\\ud83d\\ude00")]
    [InlineData("\\\\ud800")]
    [InlineData("caf\\u00e9 \u00e9\u20ac")]
    public async Task Post_WellFormedUnicodeAndEscapedBackslashes_Forwarded(string content)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var response = await gateway.Client.SendAsync(Post("v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(1, upstream.RequestCount);
    }

    [Theory]
    [InlineData("gzip", false)]
    [InlineData("gzip", true)]
    [InlineData("br", false)]
    [InlineData("x-garbage, gzip", false)]
    public async Task Post_ContentEncoding_415AndNeverForwarded(string encoding, bool compressed)
    {
        // Found by the fuzzing pass: the body was read as plain JSON and forwarded with the client's Content-Encoding,
        // which told the upstream to decode what the gateway had priced, cached and checked as plain text.
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var json = Encoding.UTF8.GetBytes("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        var body = json;
        if (compressed)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
            {
                gzip.Write(json);
            }

            body = buffer.ToArray();
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-hostile-test");
        using var response = await gateway.Client.SendAsync(request);

        await OpenAiErrorAssert.IsErrorAsync(response, 415, "unsupported_content_encoding");
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task Post_ContentEncodingIdentity_Forwarded()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        using var request = Post("v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        request.Content!.Headers.TryAddWithoutValidation("Content-Encoding", "identity");

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(1, upstream.RequestCount);
    }

    private static byte[] Bytes(string before, byte[] middle, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. middle, .. Encoding.UTF8.GetBytes(after)];

    [Fact]
    public async Task Post_RouteHeaderOutsideTheAllowedShape_400InvalidHeaderAndNeverForwarded()
    {
        // The route names a log column, a cache scope and limit counters; a route in the shape passes.
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        foreach (var route in new[] { new string('r', 257), "two words", "semi;colon" })
        {
            using var refused = Chat("gpt-4o-mini");
            refused.Headers.TryAddWithoutValidation("x-aigw-route", route);
            using var response = await gateway.Client.SendAsync(refused);

            await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_header");
        }

        Assert.Equal(0, upstream.RequestCount);
        using var fine = Chat("gpt-4o-mini");
        fine.Headers.Add("x-aigw-route", "reports.eu-1");
        using var passed = await gateway.Client.SendAsync(fine);
        Assert.Equal(200, (int)passed.StatusCode);
    }

    private static HttpRequestMessage Chat(string model) =>
        Post("v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]}");

    private static HttpRequestMessage Post(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-hostile-test");
        return request;
    }
}
