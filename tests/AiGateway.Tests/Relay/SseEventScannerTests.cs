using System.Buffers;
using System.Text;
using AiGateway.Transforms.Relay;
using Xunit;

namespace AiGateway.Tests.Relay;

public sealed class SseEventScannerTests
{
    [Theory]
    [InlineData("data: a\n\ndata: b\n\n", new[] { "data: a\n\n", "data: b\n\n" }, "")]
    [InlineData("event: x\r\ndata: a\r\n\r\ndata: b", new[] { "event: x\r\ndata: a\r\n\r\n" }, "data: b")]
    [InlineData("data: partial\n", new string[0], "data: partial\n")]
    [InlineData("id: 1\ndata: {\"a\":\"\\n\"}\n\n", new[] { "id: 1\ndata: {\"a\":\"\\n\"}\n\n" }, "")]
    public void TryReadEvent_Buffer_SplitsCompleteEventsAndKeepsTheRest(string input, string[] expectedEvents, string expectedRest)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input));
        var events = new List<string>();

        while (SseEventScanner.TryReadEvent(ref buffer, out var sseEvent))
        {
            events.Add(Encoding.UTF8.GetString(sseEvent.ToArray()));
        }

        Assert.Equal(expectedEvents, events);
        Assert.Equal(expectedRest, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Fact]
    public void TryReadEvent_EventSplitAcrossSegments_FoundWhole()
    {
        var buffer = Segments("data: he", "llo\n", "\ndata: next");

        Assert.True(SseEventScanner.TryReadEvent(ref buffer, out var sseEvent));
        Assert.Equal("data: hello\n\n", Encoding.UTF8.GetString(sseEvent.ToArray()));
        Assert.False(SseEventScanner.TryReadEvent(ref buffer, out _));
    }

    private static ReadOnlySequence<byte> Segments(params string[] parts)
    {
        var first = new Segment(Encoding.UTF8.GetBytes(parts[0]), 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(Encoding.UTF8.GetBytes(part));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
