using System.Net;
using System.Text;
using AiGateway.Transforms.Upstream;
using Xunit;

namespace AiGateway.Tests.Upstream;

public sealed class UpstreamAnswerBufferTests
{
    [Fact]
    public async Task BufferAsync_DeclaredLength_TheWholeAnswerInOneArray()
    {
        var answer = Answer(3000);
        using var response = Response(answer, declareLength: true);

        await UpstreamAnswerBuffer.BufferAsync(response, CancellationToken.None);

        var buffered = Assert.IsType<BufferedAnswerContent>(response.Content);
        Assert.Equal(answer, buffered.Bytes.ToArray());
        Assert.Equal(answer.Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Encoding.UTF8.GetString(answer), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BufferAsync_UnknownLengthInSmallPieces_TheWholeAnswerInOneArray()
    {
        // Longer than the first pooled buffer, so it grows on the way.
        var answer = Answer(100_000);
        using var response = Response(answer, declareLength: false);

        await UpstreamAnswerBuffer.BufferAsync(response, CancellationToken.None);

        var buffered = Assert.IsType<BufferedAnswerContent>(response.Content);
        Assert.Equal(answer, buffered.Bytes.ToArray());
        Assert.Equal(answer.Length, response.Content.Headers.ContentLength);
        Assert.Equal(answer, await response.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Answer(int length) =>
        Encoding.UTF8.GetBytes("{\"text\":\"" + string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26)))) + "\"}");

    private static HttpResponseMessage Response(byte[] answer, bool declareLength)
    {
        var content = new StreamContent(new TrickleStream(answer));
        content.Headers.ContentType = new("application/json");
        if (declareLength)
        {
            content.Headers.ContentLength = answer.Length;
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    /// <summary>Hands out at most 1000 bytes a read and cannot tell its length, as a network stream.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1000));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }
}
