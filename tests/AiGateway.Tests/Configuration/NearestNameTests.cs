using AiGateway.Config;
using Xunit;

namespace AiGateway.Tests.Configuration;

public sealed class NearestNameTests
{
    [Theory]
    [InlineData("opena", "openai")]
    [InlineData("OpenAI", null)]
    [InlineData("opneai", "openai")]
    [InlineData("azure", null)]
    [InlineData("VirtualKey", "VirtualKeys")]
    public void Find_Misspelling_NearestPlausibleCandidate(string name, string? expected)
    {
        Assert.Equal(expected, NearestName.Find(name, ["openai", "VirtualKeys", "Passthrough"]));
    }

    [Fact]
    public void Hint_NoCandidates_Empty()
    {
        Assert.Equal("", NearestName.Hint("openai", []));
    }

    [Fact]
    public void Hint_SeveralCandidatesAsNear_NamesEachSoNoneIsTakenForTheFix()
    {
        Assert.Equal("; did you mean 'gpt-4o' or 'gpt-4a'?", NearestName.Hint("gpt-4x", ["o3", "gpt-4o", "gpt-4a"]));
        Assert.Equal("; did you mean 'gpt-4o'?", NearestName.Hint("gpt-4oo", ["o3", "gpt-4o", "gpt-4a"]));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("same", "same", 0)]
    public void Distance_KnownPairs_Levenshtein(string a, string b, int expected)
    {
        Assert.Equal(expected, NearestName.Distance(a, b));
    }
}
