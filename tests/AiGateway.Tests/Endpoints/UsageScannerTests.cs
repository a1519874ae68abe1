using System.Text;
using AiGateway.Transforms.Endpoints;
using Xunit;

namespace AiGateway.Tests.Endpoints;

public sealed class UsageScannerTests
{
    private const string ImageAnswer =
        """{"created":1765000000,"data":[{"b64_json":"iVBORw0KGgo\\\"usage\\\":{\"input_tokens\":1}","revised_prompt":"a {cat} [with] \"usage\""}],"background":"opaque","usage":{"total_tokens":4210,"input_tokens":50,"output_tokens":4160,"input_tokens_details":{"text_tokens":50,"image_tokens":0}}}""";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(100_000)]
    public void Scan_ImageAnswerInPiecesOfAnySize_ReadsTheTopLevelUsageOnly(int pieceSize)
    {
        var usage = ScanInPieces(ImageAnswer, pieceSize);

        Assert.Equal(new TokenUsage(50, 0, 4160), usage);
    }

    [Fact]
    public void Scan_SseEventsOfAnImageStream_ReadsTheLastEventsUsage()
    {
        const string stream = """
            event: image_generation.partial_image
            data: {"type":"image_generation.partial_image","b64_json":"AAAA","partial_image_index":0,"usage":null}

            event: image_generation.completed
            data: {"type":"image_generation.completed","b64_json":"BBBB","usage":{"input_tokens":12,"output_tokens":272,"total_tokens":284}}

            data: [DONE]


            """;

        Assert.Equal(new TokenUsage(12, 0, 272), ScanInPieces(stream, 7));
    }

    [Theory]
    [InlineData("""{"text":"Hello.","usage":{"type":"duration","seconds":9}}""")]
    [InlineData("""{"text":"Hello.","usage":null}""")]
    [InlineData("""{"text":"Hello.","segments":[{"usage":{"input_tokens":3,"output_tokens":4}}]}""")]
    [InlineData("""{"id":"batch_abc","object":"batch","endpoint":"/v1/chat/completions"}""")]
    [InlineData("not json at all { \"usage\": ")]
    public void Scan_AnswerWithoutTokenUsageAtTheTop_ReadsNone(string answer)
    {
        var scanner = new UsageScanner();
        scanner.Scan(Encoding.UTF8.GetBytes(answer));

        Assert.False(scanner.TryRead(out _));
    }

    [Fact]
    public void Scan_UsageObjectLargerThanAnyUsage_IsNotHeld()
    {
        var scanner = new UsageScanner();
        scanner.Scan(Encoding.UTF8.GetBytes("{\"usage\":{\"input_tokens\":1,\"pad\":\"" + new string('x', 10_000) + "\"}}"));

        Assert.False(scanner.TryRead(out _));
    }

    private static TokenUsage? ScanInPieces(string answer, int pieceSize)
    {
        var bytes = Encoding.UTF8.GetBytes(answer);
        var scanner = new UsageScanner();
        for (var at = 0; at < bytes.Length; at += pieceSize)
        {
            scanner.Scan(bytes.AsSpan(at, Math.Min(pieceSize, bytes.Length - at)));
        }

        return scanner.TryRead(out var usage) ? usage : null;
    }
}
