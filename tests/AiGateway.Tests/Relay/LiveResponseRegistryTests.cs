using System.Buffers;
using System.Text;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Relay;
using Xunit;

namespace AiGateway.Tests.Relay;

/// <summary>How long and how much of the ended streams one instance keeps for resume.</summary>
public sealed class LiveResponseRegistryTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(300);
    private readonly ManualClock _clock = new();
    private readonly LiveResponseRegistry _registry;

    public LiveResponseRegistryTests()
    {
        var options = new GatewayOptions();
        options.Resume.MaxBytes = 100;
        _registry = new LiveResponseRegistry(new FixedOptionsMonitor<GatewayOptions>(options), _clock);
    }

    public void Dispose() => _registry.Dispose();

    [Fact]
    public void Release_EndedStreamsBeyondMaxBytes_OldestForgottenFirst()
    {
        var first = EndedStream("first", bytes: 40);
        var second = EndedStream("second", bytes: 40);
        var third = EndedStream("third", bytes: 40);

        _registry.Release(first, Window);
        _registry.Release(second, Window);
        Assert.Same(first, _registry.Find("first"));
        _registry.Release(third, Window);

        Assert.Null(_registry.Find("first"));
        Assert.Same(second, _registry.Find("second"));
        Assert.Same(third, _registry.Find("third"));
        Assert.Equal(80, _registry.EndedBytes);
    }

    [Fact]
    public void Release_OneStreamLargerThanMaxBytes_NotKept()
    {
        _registry.Release(EndedStream("large", bytes: 101), Window);

        Assert.Null(_registry.Find("large"));
        Assert.Equal(0, _registry.EndedBytes);
    }

    [Fact]
    public void ForgetExpired_OnlyStreamsWhoseWindowHasPassed()
    {
        var early = EndedStream("early", bytes: 10);
        _registry.Release(early, Window);
        _clock.Advance(TimeSpan.FromSeconds(100));
        var late = EndedStream("late", bytes: 10);
        _registry.Release(late, Window);

        _clock.Advance(TimeSpan.FromSeconds(199));
        _registry.ForgetExpired();
        Assert.Same(early, _registry.Find("early"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        _registry.ForgetExpired();
        Assert.Null(_registry.Find("early"));
        Assert.Same(late, _registry.Find("late"));
        Assert.Equal(10, _registry.EndedBytes);

        _clock.Advance(TimeSpan.FromSeconds(100));
        _registry.ForgetExpired();
        Assert.Null(_registry.Find("late"));
        Assert.Equal(0, _registry.EndedBytes);
    }

    [Fact]
    public void Release_CachedStream_ForgottenAtOnceAndNotCounted()
    {
        var cached = EndedStream("cached", bytes: 10);
        cached.Cached = true;

        _registry.Release(cached, Window);

        Assert.Null(_registry.Find("cached"));
        Assert.Equal(0, _registry.EndedBytes);
    }

    [Fact]
    public void Release_StreamWatchedForKeepAlives_NotKeptAliveByTheKeepAliveQueue()
    {
        // Issue 21: the keepalive queue held every stream until its next check (15 s by default), whole answers and
        // all, however long ago it ended: 170 MB of RSS and twice the GC pauses on 0 ms streams at 32 connections.
        var released = ReleasedStream();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(1, _registry.KeepAlive.Watched);
        Assert.False(released.IsAlive);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private WeakReference ReleasedStream()
    {
        var live = EndedStream("released", bytes: 10);
        _registry.Release(live, TimeSpan.Zero);
        return new WeakReference(live);
    }

    private LiveResponse EndedStream(string responseId, int bytes)
    {
        var live = new LiveResponse(AiEndpoint.ChatCompletions, "fingerprint-" + responseId, responseId, isStream: true);
        _registry.Track(live);
        live.Start(200, [], isEventStream: true);
        live.Append(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(new string('x', bytes))), isUsageChunk: false, isTerminal: true);
        live.CompleteStream();
        return live;
    }
}
