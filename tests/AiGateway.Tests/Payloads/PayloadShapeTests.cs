using System.Text;
using System.Text.Json;
using AiGateway.Transforms.Payloads;
using Xunit;

namespace AiGateway.Tests.Payloads;

/// <summary>The <c>metadata</c> level keeps the shape of a call and none of its text.</summary>
public sealed class PayloadShapeTests
{
    [Fact]
    public void OfRequest_Chat_CountsRolesToolsAndParametersWithoutText()
    {
        var body = """
            {"model":"gpt-4o-mini","temperature":0.3,"max_tokens":50,"user":"secret-user",
             "messages":[{"role":"system","content":"be terse"},{"role":"user","content":"my email is a@b.com"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"private description"}}]}
            """;

        var shape = Encoding.UTF8.GetString(PayloadShape.OfRequest(Encoding.UTF8.GetBytes(body))!);

        using var json = JsonDocument.Parse(shape);
        Assert.Equal(2, json.RootElement.GetProperty("messages").GetInt32());
        Assert.Equal(["system", "user"], json.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["get_weather"], json.RootElement.GetProperty("tools").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(0.3, json.RootElement.GetProperty("temperature").GetDouble());
        Assert.DoesNotContain("terse", shape, StringComparison.Ordinal);
        Assert.DoesNotContain("a@b.com", shape, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-user", shape, StringComparison.Ordinal);
        Assert.DoesNotContain("private description", shape, StringComparison.Ordinal);
    }

    [Fact]
    public void OfResponse_ChatWithToolCall_FinishReasonAndFunctionNameWithoutText()
    {
        var body = """
            {"id":"x","model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"the answer text",
             "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}}]}
            """;

        var shape = Encoding.UTF8.GetString(PayloadShape.OfResponse(Encoding.UTF8.GetBytes(body))!);

        using var json = JsonDocument.Parse(shape);
        Assert.Equal(["tool_calls"], json.RootElement.GetProperty("finish_reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["get_weather"], json.RootElement.GetProperty("tool_calls").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain("answer text", shape, StringComparison.Ordinal);
        Assert.DoesNotContain("Paris", shape, StringComparison.Ordinal);
    }
}
