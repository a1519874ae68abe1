using System.Globalization;
using System.Text;
using AiGateway.Transforms.Storage;
using Xunit;

namespace AiGateway.Tests.Storage;

public sealed class SqliteValuesTests
{
    public static TheoryData<string> Amounts => new()
    {
        "0", "-0.00", "1", "10", "10.000", "12.500", "0.00015", "0.000150", "1234567890.0123456789", "-1.50",
        "0.00000000000000000000000001", "0.10000000000000000000000000", "1.0000000000000000000000000001",
        "0.0000000000000000000000000015", "79228162514264337593543950335",
    };

    [Theory]
    [MemberData(nameof(Amounts))]
    public void TryFormatMoney_AnyAmount_WritesTheTextOfMoney(string amount)
    {
        var value = decimal.Parse(amount, NumberStyles.Number, CultureInfo.InvariantCulture);
        Span<byte> utf8 = stackalloc byte[64];

        Assert.True(SqliteValues.TryFormatMoney(value, utf8, out var written));

        Assert.Equal(value.ToString("0.##########################", CultureInfo.InvariantCulture), Encoding.UTF8.GetString(utf8[..written]));
    }

    [Fact]
    public void TryFormatTime_AnyOffset_FixedWidthUtcTextThatParsesBack()
    {
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567);
        Span<byte> utf8 = stackalloc byte[64];

        Assert.True(SqliteValues.TryFormatTime(at, utf8, out var written));

        Assert.Equal("2026-03-04T03:06:07.1234567Z", Encoding.UTF8.GetString(utf8[..written]));
        Assert.Equal(SqliteValues.Time(at), Encoding.UTF8.GetString(utf8[..written]));
        Assert.Equal(at, SqliteValues.ParseTime(SqliteValues.Time(at)));
    }
}
