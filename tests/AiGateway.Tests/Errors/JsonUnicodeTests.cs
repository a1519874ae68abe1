using System.Text;
using AiGateway.Transforms.Errors;
using Xunit;

namespace AiGateway.Tests.Errors;

public sealed class JsonUnicodeTests
{
    [Theory]
    [InlineData("{\"a\":\"\\ud83d\\ude00\"}", true)]
    [InlineData("{\"a\":\"\\\\ud800\"}", true)]
    [InlineData("{\"a\":\"\\\\\\\\ud800\"}", true)]
    [InlineData("{\"a\":\"\\n\\t\\\"\\/\"}", true)]
    [InlineData("{\"a\":\"\\u0041\\uFFFF\"}", true)]
    [InlineData("{\"a\":\"\\ud800\"}", false)]
    [InlineData("{\"a\":\"\\uDC00\"}", false)]
    [InlineData("{\"a\":\"\\ud800\\ud800\"}", false)]
    [InlineData("{\"a\":\"\\ud800x\"}", false)]
    [InlineData("{\"\\ud800\":1}", false)]
    [InlineData("{\"a\":\"\\\\\\ud800\"}", false)]
    [InlineData("{\"a\":\"x\\ud83d", false)]
    public void IsWellFormed_Escapes_LoneSurrogatesRefused(string json, bool expected)
    {
        Assert.Equal(expected, JsonUnicode.IsWellFormed(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void IsWellFormed_InvalidUtf8_False()
    {
        Assert.False(JsonUnicode.IsWellFormed([(byte)'"', 0xC3, 0x28, (byte)'"']));
        Assert.True(JsonUnicode.IsWellFormed([(byte)'"', 0xC3, 0xA9, (byte)'"']));
    }
}
