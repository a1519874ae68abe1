using System.Buffers;
using System.Text;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AiGateway.Tests.Relay;

/// <summary>A client's wait limit (Gateway:Dedupe:MaxWaitSeconds, or its leaving) ending its wait on a live answer.</summary>
public sealed class LiveResponseWriterTests
{
    private const string ResponseId = "0123456789abcdef";

    [Fact]
    public async Task WriteAsync_WaitLimitPassesBeforeTheAnswerStarts_ClientGets504DedupeWaitExceeded()
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fingerprint", ResponseId, isStream: true);
        var (context, body) = NewContext();
        using var limit = new CancellationTokenSource();

        var writing = LiveResponseWriter.WriteAsync(context, live, null, 0, includeUsage: false, LiveClient.Joiner, limit.Token, TimeSpan.FromMinutes(1));
        Assert.False(writing.IsCompleted);
        await limit.CancelAsync();

        // Bounded: a wait the limit failed to end would otherwise hang the test instead of failing it.
        Assert.Equal(LiveResponseWriter.Outcome.Stopped, await writing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCodes.Status504GatewayTimeout, context.Response.StatusCode);
        Assert.Contains("dedupe_wait_exceeded", Text(body));
    }

    [Fact]
    public async Task WriteAsync_OneClientsLimitPassesMidStream_ItGetsTheErrorEventAndTheOtherClientTheWholeStream()
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fingerprint", ResponseId, isStream: true);
        live.Start(200, [], isEventStream: true);
        live.Append(Event("first"), isUsageChunk: false);
        var (stopped, stoppedBody) = NewContext();
        var (staying, stayingBody) = NewContext();
        using var limit = new CancellationTokenSource();

        var stopping = LiveResponseWriter.WriteAsync(stopped, live, null, 0, includeUsage: false, LiveClient.Joiner, limit.Token, TimeSpan.FromMinutes(1));
        var reading = LiveResponseWriter.WriteAsync(staying, live, null, 0, includeUsage: false, LiveClient.Joiner, CancellationToken.None, TimeSpan.FromMinutes(1));
        await limit.CancelAsync();
        Assert.Equal(LiveResponseWriter.Outcome.Stopped, await stopping.WaitAsync(TimeSpan.FromSeconds(30)));

        live.Append(Event("second"), isUsageChunk: false);
        live.Append(Event("[DONE]"), isUsageChunk: false, isTerminal: true);
        live.CompleteStream();

        Assert.Equal(LiveResponseWriter.Outcome.Delivered, await reading.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("id: " + ResponseId + ":0\ndata: first", Text(stoppedBody));
        Assert.Contains("dedupe_wait_exceeded", Text(stoppedBody));
        Assert.DoesNotContain("data: second", Text(stoppedBody));
        var whole = Text(stayingBody);
        Assert.Contains("data: first", whole);
        Assert.Contains("id: " + ResponseId + ":1\ndata: second", whole);
        Assert.Contains("data: [DONE]", whole);
        Assert.DoesNotContain("dedupe_wait_exceeded", whole);
    }

    private static (HttpContext Context, MemoryStream Body) NewContext()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }

    private static ReadOnlySequence<byte> Event(string data) => new(Encoding.UTF8.GetBytes("data: " + data + "\n\n"));

    private static string Text(MemoryStream body) => Encoding.UTF8.GetString(body.ToArray());
}
