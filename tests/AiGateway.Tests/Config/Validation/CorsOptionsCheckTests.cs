using AiGateway.Config;
using Xunit;

namespace AiGateway.Tests.Config.Validation;

/// <summary><c>Gateway:Cors</c> is refused at start-up (and on a hot reload) with a message naming each bad origin.</summary>
public sealed class CorsOptionsCheckTests
{
    [Theory]
    [InlineData("https://app.example.com")]
    [InlineData("http://localhost:5173")]
    [InlineData("http://127.0.0.1:8080")]
    public void Check_Origin_Passes(string origin)
    {
        var errors = new List<string>();

        CorsOptionsCheck.Check(errors, new CorsOptions { Origins = [origin] });

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("https://app.example.com/", "no path, query or trailing slash: https://app.example.com.")]
    [InlineData("https://app.example.com/chat", "no path, query or trailing slash: https://app.example.com.")]
    [InlineData("*", "wildcards are not accepted")]
    [InlineData("https://*.example.com", "wildcards are not accepted")]
    [InlineData("app.example.com", "an origin is http(s)://host[:port]")]
    [InlineData("ftp://app.example.com", "an origin is http(s)://host[:port]")]
    [InlineData(" ", "is empty")]
    public void Check_BadOrigin_ErrorNamingTheKey(string origin, string reason)
    {
        var errors = new List<string>();

        CorsOptionsCheck.Check(errors, new CorsOptions { Origins = ["https://ok.example.com", origin] });

        var error = Assert.Single(errors);
        Assert.StartsWith("Gateway:Cors:Origins:1 ", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Validate_BadOriginsAndMaxAge_EveryErrorInTheGatewayValidator()
    {
        var options = new GatewayOptions { Cors = new CorsOptions { Origins = ["*", "https://a.example.com/"], PreflightMaxAgeSeconds = -1 } };

        var failures = new GatewayOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Gateway:Cors:PreflightMaxAgeSeconds is -1", StringComparison.Ordinal));
    }
}
