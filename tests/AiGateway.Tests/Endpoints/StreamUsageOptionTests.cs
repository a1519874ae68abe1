using System.Text;
using System.Text.Json;
using AiGateway.Transforms.Endpoints;
using Xunit;

namespace AiGateway.Tests.Endpoints;

public sealed class StreamUsageOptionTests
{
    [Theory]
    [InlineData("{\"model\":\"m\",\"stream\":true}", "{\"stream_options\":{\"include_usage\":true},\"model\":\"m\",\"stream\":true}")]
    [InlineData("  { \"stream\" : true }", "  {\"stream_options\":{\"include_usage\":true}, \"stream\" : true }")]
    [InlineData("{}", "{\"stream_options\":{\"include_usage\":true}}")]
    public void WithIncludeUsage_NoStreamOptions_SplicedInKeepingEveryOtherByte(string body, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var json = JsonDocument.Parse(bytes);

        Assert.Equal(expected, Encoding.UTF8.GetString(StreamUsageOption.WithIncludeUsage(bytes, json.RootElement)));
    }

    [Theory]
    [InlineData("{\"stream\":true,\"stream_options\":{\"include_usage\":false,\"x\":1},\"n\":1.50}", "{\"stream\":true,\"stream_options\":{\"x\":1,\"include_usage\":true},\"n\":1.50}")]
    [InlineData("{\"stream_options\":null,\"t\":\"é<\"}", "{\"stream_options\":{\"include_usage\":true},\"t\":\"é<\"}")]
    public void WithIncludeUsage_ExistingStreamOptions_RewrittenWithOtherMembersKept(string body, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var json = JsonDocument.Parse(bytes);

        Assert.Equal(expected, Encoding.UTF8.GetString(StreamUsageOption.WithIncludeUsage(bytes, json.RootElement)));
    }
}
