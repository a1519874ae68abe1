using System.Buffers;
using System.Text;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Relay;
using Xunit;

namespace AiGateway.Tests.Relay;

public sealed class LiveResponseTests
{
    [Fact]
    public void Append_PastItsFirstArray_EarlierEventViewsKeepTheirBytes()
    {
        var live = NewStream();
        live.Append(Event(0), isUsageChunk: false);
        var first = live.Event(0);

        // Far past the first array: it is replaced by larger copies several times.
        for (var i = 1; i < 400; i++)
        {
            live.Append(Event(i), isUsageChunk: false);
        }

        Assert.Equal(Text(0), Encoding.UTF8.GetString(first.Span));
        Assert.Equal(400, live.EventCount);
        for (var i = 0; i < 400; i++)
        {
            Assert.Equal(Text(i), Encoding.UTF8.GetString(live.Event(i).Span));
        }
    }

    [Fact]
    public void Events_AfterAppends_AllEventsBackToBackWithTheirEnds()
    {
        var live = NewStream();
        var expected = new StringBuilder();
        var ends = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            live.Append(Event(i), isUsageChunk: i == 98, isTerminal: i == 99);
            expected.Append(Text(i));
            ends.Add(expected.Length);
        }

        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(live.Events(live.EventCount).Span));
        Assert.Equal(ends, live.EventEnds(live.EventCount).ToArray());
        Assert.Equal(expected.Length, live.TotalBytes);
        Assert.Equal(98, live.UsageEventIndex);
        Assert.Equal(99, live.TerminalEventIndex);
    }

    [Fact]
    public async Task Event_ReadWhileTheWriterAppends_EveryEventWhole()
    {
        var live = NewStream();
        const int count = 3000;
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() => ReadEveryEventAsync(live, version => new ValueTask(live.ChangedSince(version))))).ToArray();

        await Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                live.Append(Event(i), isUsageChunk: false);
            }

            live.CompleteStream();
        });

        // Bounded: a reader that missed a change would otherwise hang the test instead of failing it.
        var reads = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(reads, read => Assert.Equal(count, read));
    }

    [Fact]
    public async Task Event_ReadByWritersOnTheirOwnWaitersWhileTheWriterAppendsAndWakes_EveryEventWhole()
    {
        var live = NewStream();
        const int count = 3000;
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var waiter = new LiveWaiter();
            return ReadEveryEventAsync(live, version => live.ChangedSince(version, waiter));
        })).ToArray();

        // Wakes without a change race the appends: a waiter completed by one and registered again must still see the next.
        using var stop = new CancellationTokenSource();
        var waker = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                live.WakeReaders();
            }
        });

        await Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                live.Append(Event(i), isUsageChunk: false);
            }

            live.CompleteStream();
        });

        // Bounded: a reader that missed a change would otherwise hang the test instead of failing it.
        var reads = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await waker;
        Assert.All(reads, read => Assert.Equal(count, read));
    }

    [Fact]
    public void ChangedSince_AnOlderVersion_CompletedAtOnce()
    {
        var live = NewStream();
        var version = live.Version;
        live.Append(Event(0), isUsageChunk: false);

        Assert.True(live.ChangedSince(version).IsCompleted);
    }

    [Fact]
    public void ChangedSince_CurrentVersion_CompletesWithTheNextChangeForEveryWaiter()
    {
        var live = NewStream();
        var version = live.Version;
        var first = live.ChangedSince(version);
        var second = live.ChangedSince(version);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        live.Append(Event(0), isUsageChunk: false);

        Assert.True(first.IsCompleted);
        Assert.True(second.IsCompleted);
        Assert.False(live.ChangedSince(live.Version).IsCompleted);
    }

    [Fact]
    public void Append_PastAFirstArraySizedForSmallAnswers_GrowsAndKeepsEveryEvent()
    {
        // Streams of a few hundred bytes make the first array small; a long answer after them must still grow.
        for (var i = 0; i < 2000; i++)
        {
            LogCapacity.Shared.Learn(100);
        }

        // The first event alone is larger than the learnt first array, then many small ones grow it further.
        var large = "data: {\"pad\":\"" + new string('y', 5000) + "\"}\n\n";
        var live = NewStream();
        live.Append(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(large)), isUsageChunk: false);
        for (var i = 0; i < 300; i++)
        {
            live.Append(Event(i), isUsageChunk: false, isTerminal: i == 299);
        }

        live.CompleteStream();

        var expected = large + string.Concat(Enumerable.Range(0, 300).Select(Text));
        Assert.Equal(expected, Encoding.UTF8.GetString(live.Events(live.EventCount).Span));
        Assert.Equal(expected.Length, live.TotalBytes);
        Assert.Equal(large, Encoding.UTF8.GetString(live.Event(0).Span));
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(Text(i), Encoding.UTF8.GetString(live.Event(i + 1).Span));
        }
    }

    [Fact]
    public async Task ChangedSince_AWritersWaiter_CompletesWithEveryChangeAndWake()
    {
        var live = NewStream();
        var waiter = new LiveWaiter();

        // One waiter, awaited again and again as a writer does: each change and each wake completes it once.
        for (var i = 0; i < 3; i++)
        {
            var changed = live.ChangedSince(live.Version, waiter);
            Assert.False(changed.IsCompleted);
            live.Append(Event(i), isUsageChunk: false);
            Assert.True(changed.IsCompleted);
            await changed;
        }

        var woken = live.ChangedSince(live.Version, waiter);
        var shared = live.ChangedSince(live.Version);
        Assert.False(woken.IsCompleted);
        live.WakeReaders();
        Assert.True(woken.IsCompleted);
        Assert.True(shared.IsCompleted);
        await woken;

        Assert.True(live.ChangedSince(live.Version - 1, waiter).IsCompleted);
        var ended = live.ChangedSince(live.Version, waiter);
        live.CompleteStream();
        Assert.True(ended.IsCompleted);
        await ended;
        Assert.True(live.ChangedSince(live.Version, waiter).IsCompleted);
    }

    [Fact]
    public async Task ChangedSince_TwoWritersWaiters_BothCompletedByOneChange()
    {
        var live = NewStream();
        var first = new LiveWaiter();
        var second = new LiveWaiter();
        var version = live.Version;
        var a = live.ChangedSince(version, first);
        var b = live.ChangedSince(version, second);

        live.Append(Event(0), isUsageChunk: false);

        Assert.True(a.IsCompleted);
        Assert.True(b.IsCompleted);
        await a;
        await b;
        Assert.False(live.ChangedSince(live.Version, first).IsCompleted);
    }

    [Fact]
    public void CompleteBody_Body_KeptWithoutCopy()
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fp", "r1", isStream: false);
        var body = Encoding.UTF8.GetBytes("{\"id\":\"x\"}");

        live.CompleteBody(body);

        Assert.True(live.Body.Span == body.AsSpan());
        Assert.Equal(body.Length, live.TotalBytes);
        Assert.Equal(LiveState.Completed, live.State);
    }

    // Reads the answer's events as a writer does, checking each; returns how many it read once the answer finished.
    private static async Task<int> ReadEveryEventAsync(LiveResponse live, Func<int, ValueTask> nextChange)
    {
        var next = 0;
        while (true)
        {
            var version = live.Version;
            var finished = live.IsFinished;
            for (var total = live.EventCount; next < total; next++)
            {
                Assert.Equal(Text(next), Encoding.UTF8.GetString(live.Event(next).Span));
            }

            if (finished)
            {
                return next;
            }

            await nextChange(version);
        }
    }

    private static LiveResponse NewStream()
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fp", "r1", isStream: true);
        live.Start(200, [new("Content-Type", "text/event-stream")], isEventStream: true);
        return live;
    }

    private static string Text(int i) => "data: {\"n\":" + i + ",\"pad\":\"" + new string('x', i % 97) + "\"}\n\n";

    private static ReadOnlySequence<byte> Event(int i) => new(Encoding.UTF8.GetBytes(Text(i)));
}
