using System.Buffers;
using System.Globalization;
using System.Text;
using AiGateway.Transforms.Relay;
using Xunit;

namespace AiGateway.Tests.Relay;

public sealed class AnswerCostTests
{
    public static TheoryData<decimal> Costs => new() { 0m, 0.000123m, 12.5m, 1234567.000001m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m };

    [Theory]
    [MemberData(nameof(Costs))]
    public void WriteComment_AnyCost_TheCommentWithTheInvariantAmount(decimal cost)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("data: before\n\n"u8);

        AnswerCost.WriteComment(output, cost);

        Assert.Equal("data: before\n\n: x-aigw-cost-usd=" + cost.ToString(CultureInfo.InvariantCulture) + "\n\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }
}
