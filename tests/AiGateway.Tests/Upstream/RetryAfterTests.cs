using System.Net;
using System.Net.Http.Headers;
using AiGateway.Transforms.Upstream;
using Xunit;

namespace AiGateway.Tests.Upstream;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_DeltaSeconds_ThatDelay()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Read(response, Now));
    }

    [Fact]
    public void Read_HttpDate_TimeUntilThen()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(20));

        Assert.Equal(TimeSpan.FromSeconds(20), RetryAfter.Read(response, Now));
    }

    [Fact]
    public void Read_RetryAfterMsAlongsideRetryAfter_MillisecondsWin()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
        response.Headers.TryAddWithoutValidation("retry-after-ms", "1250.5");

        Assert.Equal(TimeSpan.FromMilliseconds(1250.5), RetryAfter.Read(response, Now));
    }

    [Fact]
    public void Read_NoHeader_Null()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway);

        Assert.Null(RetryAfter.Read(response, Now));
    }
}
