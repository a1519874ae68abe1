using System.Text;
using AiGateway.Cli;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>In-place edits of a configuration file's string values: keys as the configuration reads them, every other byte kept.</summary>
public sealed class JsonConfigEditorTests
{
    [Fact]
    public void Values_NestedObjectsAndArrays_KeyedAsConfigurationKeys()
    {
        var editor = new JsonConfigEditor(Encoding.UTF8.GetBytes("""{"A":{"B":["x",{"C":"y"}],"D":1,"E":"z"}}"""));

        Assert.Equal(["A:B:0=x", "A:B:1:C=y", "A:E=z"], editor.Values.Select(v => $"{v.Key}={v.Value}"));
    }

    [Fact]
    public void Result_EscapedValueInFileWithBomAndComment_OnlyThatTokenReplaced()
    {
        var text = "\uFEFF{\r\n  // kept\r\n  \"Gateway\" : { \"Modes\": { \"cheap\" :  \"gpt\\u002D4o-mni\" } },\r\n}\r\n";
        var editor = new JsonConfigEditor(Encoding.UTF8.GetBytes(text));
        var (_, value, start, length) = Assert.Single(editor.Values);

        editor.Replace(start, length, "gpt-4o-mini");

        Assert.Equal("gpt-4o-mni", value);
        Assert.Equal(text.Replace("\"gpt\\u002D4o-mni\"", "\"gpt-4o-mini\""), Encoding.UTF8.GetString(editor.Result()));
    }
}
