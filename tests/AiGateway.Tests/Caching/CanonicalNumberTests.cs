using System.Buffers;
using System.Text;
using AiGateway.Transforms.Caching;
using Xunit;

namespace AiGateway.Tests.Caching;

public sealed class CanonicalNumberTests
{
    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("1e0", "1")]
    [InlineData("10", "1e1")]
    [InlineData("1200", "12e2")]
    [InlineData("0.5", "5e-1")]
    [InlineData("0.50", "5e-1")]
    [InlineData("5E-1", "5e-1")]
    [InlineData("-0", "0")]
    [InlineData("0.000", "0")]
    [InlineData("-12.340e+2", "-1234")]
    [InlineData("9007199254740993", "9007199254740993")]
    [InlineData("123456789012345678901234567890", "12345678901234567890123456789e1")]
    public void Write_Number_OneExactForm(string number, string expected)
    {
        var output = new ArrayBufferWriter<byte>();

        CanonicalNumber.Write(Encoding.ASCII.GetBytes(number), output);

        Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
    }
}
