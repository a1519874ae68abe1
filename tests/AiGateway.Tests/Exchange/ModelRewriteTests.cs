using System.Text;
using System.Text.Json;
using AiGateway.Transforms.Exchange;
using Xunit;

namespace AiGateway.Tests.Exchange;

public sealed class ModelRewriteTests
{
    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[]}""", """{"model":"gpt-4o-mini","messages":[]}""")]
    [InlineData("{ \"messages\" : [ ] ,\n  \"model\" :\t\"gpt-4o\" }", "{ \"messages\" : [ ] ,\n  \"model\" :\t\"gpt-4o-mini\" }")]
    [InlineData("""{"metadata":{"model":"keep"},"model":"gpt-4o"}""", """{"metadata":{"model":"keep"},"model":"gpt-4o-mini"}""")]
    [InlineData("""{"model":"gpt\u002d4o","n":1}""", """{"model":"gpt-4o-mini","n":1}""")]
    [InlineData("""{"mod\u0065l":"gpt-4o"}""", """{"mod\u0065l":"gpt-4o-mini"}""")]
    public void WithModel_StringModel_SplicesTheValueAndKeepsEveryOtherByte(string body, string expected)
    {
        Assert.Equal(expected, Rewrite(body, "gpt-4o-mini"));
    }

    [Fact]
    public void WithModel_DuplicateModelKeys_EveryTopLevelOneRewritten()
    {
        Assert.Equal("""{"model":"b","x":1,"model":"b"}""", Rewrite("""{"model":"a","x":1,"model":"a-long-name"}""", "b"));
    }

    [Theory]
    [InlineData("""{"messages":[]}""", """{"model":"gpt-4o","messages":[]}""")]
    [InlineData("{ }", """{"model":"gpt-4o"}""")]
    [InlineData("{}", """{"model":"gpt-4o"}""")]
    public void WithModel_NoModel_MemberInsertedFirst(string body, string expected)
    {
        var rewritten = Rewrite(body, "gpt-4o");

        Assert.Equal(expected, rewritten.Replace("{\"model\":\"gpt-4o\" }", "{\"model\":\"gpt-4o\"}"));
        using var _ = JsonDocument.Parse(rewritten);
    }

    [Fact]
    public void WithModel_NonStringModel_ObjectWrittenAnewWithOtherMembersKept()
    {
        var rewritten = Rewrite("""{"model":null,"temperature":1.50,"text":"été"}""", "gpt-4o");

        Assert.Equal("""{"model":"gpt-4o","temperature":1.50,"text":"été"}""", rewritten);
    }

    [Fact]
    public void WithModel_ModelNeedingEscapes_WrittenAsValidJson()
    {
        var rewritten = Rewrite("""{"model":"x"}""", "we\"ird/é");

        using var json = JsonDocument.Parse(rewritten);
        Assert.Equal("we\"ird/é", json.RootElement.GetProperty("model").GetString());
        Assert.Contains("é", rewritten);
    }

    private static string Rewrite(string body, string model)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var json = JsonDocument.Parse(bytes);
        return Encoding.UTF8.GetString(ModelRewrite.WithModel(bytes, json.RootElement, model));
    }
}
