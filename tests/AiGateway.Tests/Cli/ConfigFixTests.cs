using AiGateway.Cli;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>Which configuration errors name exactly one correction.</summary>
public sealed class ConfigFixTests
{
    [Theory]
    [InlineData("ReverseProxy:Routes:openai:ClusterId is 'opena', which names no cluster; did you mean 'openai'?", "ReverseProxy:Routes:openai:ClusterId", "opena", "openai")]
    [InlineData("Gateway:Auth:Mode is 'VirtualKey'; it must be one of Passthrough, VirtualKeys; did you mean 'VirtualKeys'?", "Gateway:Auth:Mode", "VirtualKey", "VirtualKeys")]
    [InlineData("ConnectionStrings:Postgres has the keyword 'hots', which Npgsql does not know; did you mean 'Host'?", "ConnectionStrings:Postgres", "hots", "Host")]
    public void Parse_OneSuggestion_TheFix(string error, string key, string found, string replacement)
    {
        var fix = ConfigFix.Parse(error);

        Assert.NotNull(fix);
        Assert.Equal((key, found, replacement), (fix.Key, fix.Found, fix.Replacement));
    }

    [Theory]
    [InlineData("Gateway:Modes:smart is 'o2', which has no price; did you mean 'o1' or 'o3'?")]
    [InlineData("Gateway:Upstream:MaxRetries is 99; it must be between 0 and 10.")]
    [InlineData("Gateway:Upstream:FallbackModels:gpt4o names the model 'gpt4o', which has no price; did you mean 'gpt-4o'?")]
    [InlineData("ReverseProxy:Clusters:openai is missing: the upstream cluster must be named 'openai'; is 'opneai' meant to be 'openai'?")]
    public void Parse_NoneOrSeveralSuggestionsOrARename_NoFix(string error)
    {
        Assert.Null(ConfigFix.Parse(error));
    }

    [Fact]
    public void Apply_ConnectionStringKeyword_OnlyThatKeywordChanged()
    {
        var fix = ConfigFix.Parse("ConnectionStrings:Postgres has the keyword 'hots', which Npgsql does not know; did you mean 'Host'?")!;

        Assert.Equal("Host=hots.example; Database=hots", fix.Apply("Hots=hots.example; Database=hots"));
        Assert.Null(fix.Apply("Hots=a;hots=b"));
    }
}
