using System.Buffers;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Relay;
using Xunit;

namespace AiGateway.Tests.Relay;

/// <summary>The live log's change signal, which every client of an answer waits on.</summary>
public sealed class LiveResponseEndTests
{
    public static TheoryData<string> Ends => ["body", "stream", "failed before start", "failed after start"];

    [Theory]
    [MemberData(nameof(Ends))]
    public void Changed_EndComesBetweenAReadersStateCheckAndItsWait_ReaderIsNotLeftWaiting(string end)
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fingerprint", "0123456789abcdef", isStream: end == "stream");
        if (end is "stream" or "failed after start")
        {
            live.Start(200, [], isEventStream: end == "stream");
        }

        // A follower saw the answer unfinished; the leader ends it before the follower asks for the next change.
        Assert.False(live.IsFinished);
        End(live, end);
        var changed = live.Changed;

        Assert.True(changed.IsCompleted, "a reader that asks for the next change after the end would wait for ever");
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public void Changed_AskedForBeforeTheEnd_CompletesAtTheEnd(string end)
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fingerprint", "0123456789abcdef", isStream: end == "stream");
        if (end is "stream" or "failed after start")
        {
            live.Start(200, [], isEventStream: end == "stream");
        }

        var changed = live.Changed;
        Assert.False(changed.IsCompleted);
        End(live, end);

        Assert.True(changed.IsCompleted);
    }

    private static void End(LiveResponse live, string end)
    {
        switch (end)
        {
            case "body":
                live.CompleteBody("{}"u8.ToArray());
                break;
            case "stream":
                live.Append(new ReadOnlySequence<byte>("data: [DONE]\n\n"u8.ToArray()), isUsageChunk: false, isTerminal: true);
                live.CompleteStream();
                break;
            default:
                live.Fail(502, "{}"u8.ToArray(), default, byCancellation: false);
                break;
        }
    }
}
