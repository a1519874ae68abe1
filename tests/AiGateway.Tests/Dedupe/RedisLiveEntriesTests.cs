using System.Buffers;
using System.Text;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Relay;
using StackExchange.Redis;
using Xunit;

namespace AiGateway.Tests.Dedupe;

public sealed class RedisLiveEntriesTests
{
    [Fact]
    public void Apply_EventsEntry_AppendsEveryEventInOrderWithUsageAndTerminal()
    {
        var leader = Started();
        for (var i = 0; i < 12; i++)
        {
            leader.Append(Event(i), isUsageChunk: i == 10, isTerminal: i == 11);
        }

        var follower = Started();
        // As the mirror writes them: one event, then several at once (among them the usage chunk and the terminal).
        RedisLiveEntries.Apply(Entry(RedisLiveEntries.Events(leader, 0, 1)), follower);
        RedisLiveEntries.Apply(Entry(RedisLiveEntries.Events(leader, 1, 5)), follower);
        RedisLiveEntries.Apply(Entry(RedisLiveEntries.Events(leader, 6, 6)), follower);

        Assert.Equal(12, follower.EventCount);
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(Text(i), Encoding.UTF8.GetString(follower.Event(i).Span));
        }

        Assert.Equal(10, follower.UsageEventIndex);
        Assert.Equal(11, follower.TerminalEventIndex);
    }

    [Fact]
    public void Apply_EventsEntryWithoutUsageOrTerminal_MarksNeither()
    {
        var leader = Started();
        for (var i = 0; i < 4; i++)
        {
            leader.Append(Event(i), isUsageChunk: false);
        }

        var follower = Started();
        RedisLiveEntries.Apply(Entry(RedisLiveEntries.Events(leader, 0, 4)), follower);

        Assert.Equal(4, follower.EventCount);
        Assert.Equal(-1, follower.UsageEventIndex);
        Assert.Equal(-1, follower.TerminalEventIndex);
    }

    [Fact]
    public void Apply_EventsEntryBeforeStart_FailsTheCopySoItsClientsLeadAFreshCall()
    {
        var leader = Started();
        leader.Append(Event(0), isUsageChunk: false);
        leader.Append(Event(1), isUsageChunk: false);
        var follower = new LiveResponse(AiEndpoint.ChatCompletions, "fp", "r1", isStream: true);

        RedisLiveEntries.Apply(Entry(RedisLiveEntries.Events(leader, 0, 2)), follower);

        Assert.Equal(LiveState.Failed, follower.State);
        Assert.True(follower.FailedByCancellation);
        Assert.Equal(0, follower.EventCount);
    }

    private static StreamEntry Entry(NameValueEntry[] values) => new("1-0", values);

    private static LiveResponse Started()
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fp", "r1", isStream: true);
        live.Start(200, [new("Content-Type", "text/event-stream")], isEventStream: true);
        return live;
    }

    private static string Text(int i) => "data: {\"n\":" + i + ",\"pad\":\"" + new string('x', i * 7) + "\"}\n\n";

    private static ReadOnlySequence<byte> Event(int i) => new(Encoding.UTF8.GetBytes(Text(i)));
}
