using System.Security.Cryptography;
using System.Text;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using Microsoft.Extensions.Options;
using Xunit;

namespace AiGateway.Tests.Caching;

public sealed class MemoryResponseCacheStoreTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private static readonly CacheTags Acme = new("acme", null);
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task GetAsync_StoredEntry_ReturnsItsStatusHeadersEventsAndPayload()
    {
        var store = Ring(1 << 20);
        var payload = Encoding.UTF8.GetBytes("data: {\"a\":\"é\"}\n\ndata: [DONE]\n\n");
        var entry = new CachedResponse(200, [new("Content-Type", "text/event-stream"), new("x-request-id", "req_1")], payload,
            [19, payload.Length], 0, 1_700_000_000_123, "0123456789abcdef");
        await store.SetAsync(Key(Fingerprint(1)), new CacheTags("acme", "support"), entry, Day, default);

        using var hit = await store.GetAsync(Key(Fingerprint(1)), default);

        Assert.NotNull(hit);
        Assert.Equal(entry.Headers, hit.Headers);
        Assert.Equal(payload, hit.Payload.ToArray());
        Assert.Equal(entry.EventEnds, hit.EventEnds);
        Assert.Equal((0, 1_700_000_000_123, "0123456789abcdef"), (hit.UsageEventIndex, hit.CreatedAtUnixMs, hit.ResponseId));
    }

    [Theory]
    [InlineData(1 << 30)]
    [InlineData(16 * 1024)]
    public async Task SetAsync_ThousandsOfEntriesIntoSmallRing_OldestMissNewestHitAndEveryHitIsItsOwnEntry(int segmentBytes)
    {
        var store = new MemoryResponseCacheStore(64 * 1024, segmentBytes, _clock);
        var random = new Random(7);
        var stored = new Dictionary<string, string>();
        for (var i = 0; i < 5000; i++)
        {
            // Every tenth store replaces an earlier entry, so the ring also holds records the index no longer points at.
            var fingerprint = Fingerprint(i % 10 == 9 ? random.Next(1, i) : i);
            var body = i + ":" + new string((char)('a' + (i % 26)), random.Next(1, 1800));
            stored[fingerprint] = body;
            await store.SetAsync(Key(fingerprint), Acme, Json(body), Day, default);
            if (i % 250 == 0)
            {
                await AssertEveryHitIsStoredAsync(store, stored);
            }
        }

        var hits = await AssertEveryHitIsStoredAsync(store, stored);
        Assert.InRange(hits, 10, stored.Count - 100);
        Assert.Null(await store.GetAsync(Key(Fingerprint(0)), default));
        using var newest = await store.GetAsync(Key(Fingerprint(4998)), default);
        Assert.Equal(stored[Fingerprint(4998)], Encoding.UTF8.GetString(newest!.Payload.Span));
    }

    [Fact]
    public async Task SetAsync_SameFingerprint_ReplacesEntry()
    {
        var store = Ring(1 << 20);
        await store.SetAsync(Key(Fingerprint(1)), Acme, Json("old"), Day, default);
        await store.SetAsync(Key(Fingerprint(1)), Acme, Json("new"), Day, default);

        using var hit = await store.GetAsync(Key(Fingerprint(1)), default);

        Assert.Equal("new", Encoding.UTF8.GetString(hit!.Payload.Span));
    }

    [Fact]
    public async Task GetAsync_AfterTtl_Miss()
    {
        var store = Ring(1 << 20);
        await store.SetAsync(Key(Fingerprint(1)), Acme, Json("x"), TimeSpan.FromSeconds(10), default);

        _clock.Advance(TimeSpan.FromSeconds(9));
        using (var before = await store.GetAsync(Key(Fingerprint(1)), default))
        {
            Assert.NotNull(before);
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await store.GetAsync(Key(Fingerprint(1)), default));
    }

    [Fact]
    public async Task PurgeAsync_ByOrgRouteOrBoth_RemovesOnlyMatchingLiveEntries()
    {
        var store = Ring(1 << 20);
        await store.SetAsync(Key(Fingerprint(1)), new("acme", "support"), Json("1"), Day, default);
        await store.SetAsync(Key(Fingerprint(2)), new("acme", null), Json("2"), Day, default);
        await store.SetAsync(Key(Fingerprint(3)), new("globex", "support"), Json("3"), Day, default);
        await store.SetAsync(Key(Fingerprint(4)), new("globex", "sales"), Json("4"), Day, default);
        await store.SetAsync(Key(Fingerprint(5)), new("acme", "sales"), Json("5"), TimeSpan.FromSeconds(1), default);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(0, await store.PurgeAsync("initech", null, null, default));
        Assert.Equal(1, await store.PurgeAsync("globex", "sales", null, default));
        Assert.Equal(2, await store.PurgeAsync(null, "support", null, default));
        Assert.Equal(1, await store.PurgeAsync("acme", null, null, default));
        Assert.Equal(0, await store.PurgeAsync("acme", null, null, default));
        for (var i = 1; i <= 5; i++)
        {
            Assert.Null(await store.GetAsync(Key(Fingerprint(i)), default));
        }
    }

    [Fact]
    public async Task PurgeAsync_ByFingerprint_HonoursOrgAndRouteFilters()
    {
        var store = Ring(1 << 20);
        await store.SetAsync(Key(Fingerprint(1)), new("acme", "support"), Json("1"), Day, default);
        await store.SetAsync(Key(Fingerprint(2)), new("acme", null), Json("2"), Day, default);

        Assert.Equal(0, await store.PurgeAsync("globex", null, Fingerprint(1), default));
        Assert.Equal(0, await store.PurgeAsync("acme", "sales", Fingerprint(1), default));
        Assert.Equal(0, await store.PurgeAsync(null, "support", Fingerprint(2), default));
        using (var kept = await store.GetAsync(Key(Fingerprint(1)), default))
        {
            Assert.NotNull(kept);
        }

        Assert.Equal(1, await store.PurgeAsync("acme", "support", Fingerprint(1), default));
        Assert.Equal(1, await store.PurgeAsync(null, null, Fingerprint(2), default));
        Assert.Equal(0, await store.PurgeAsync(null, null, Fingerprint(2), default));
        Assert.Null(await store.GetAsync(Key(Fingerprint(1)), default));
        Assert.Null(await store.GetAsync(Key(Fingerprint(2)), default));
    }

    [Fact]
    public async Task SetAsync_EntryOverAnEighthOfTheRing_NotStoredAndEarlierEntryGone()
    {
        var store = Ring(64 * 1024);
        await store.SetAsync(Key(Fingerprint(1)), Acme, Json("small"), Day, default);

        await store.SetAsync(Key(Fingerprint(1)), Acme, Json(new string('x', 8 * 1024)), Day, default);

        Assert.Null(await store.GetAsync(Key(Fingerprint(1)), default));
    }

    [Fact]
    public async Task GetAsync_HitThenRingOverwritten_HitStillHoldsItsBytes()
    {
        var store = Ring(64 * 1024);
        await store.SetAsync(Key(Fingerprint(0)), Acme, Json("the first answer"), Day, default);
        using var hit = await store.GetAsync(Key(Fingerprint(0)), default);

        for (var i = 1; i < 200; i++)
        {
            await store.SetAsync(Key(Fingerprint(i)), Acme, Json(new string('z', 1000)), Day, default);
        }

        Assert.Null(await store.GetAsync(Key(Fingerprint(0)), default));
        Assert.Equal("the first answer", Encoding.UTF8.GetString(hit!.Payload.Span));
    }

    [Fact]
    public async Task GetAsync_ReadTwice_LaterHitsShareOneParsedCopyUntilReplaced()
    {
        var store = Ring(1 << 20);
        await store.SetAsync(Key(Fingerprint(1)), Acme, Json("old"), Day, default);

        using var first = await store.GetAsync(Key(Fingerprint(1)), default);
        using var second = await store.GetAsync(Key(Fingerprint(1)), default);
        using var third = await store.GetAsync(Key(Fingerprint(1)), default);
        await store.SetAsync(Key(Fingerprint(1)), Acme, Json("new"), Day, default);
        using var afterReplace = await store.GetAsync(Key(Fingerprint(1)), default);

        Assert.NotSame(first, second);
        Assert.Same(second, third);
        Assert.Equal("old", Encoding.UTF8.GetString(third!.Payload.Span));
        Assert.Equal("new", Encoding.UTF8.GetString(afterReplace!.Payload.Span));
    }

    [Fact]
    public async Task GetAsync_HotCopyThenPurgedExpiredOrOverwritten_Miss()
    {
        var store = Ring(64 * 1024);
        await store.SetAsync(Key(Fingerprint(1)), new("acme", "support"), Json("1"), Day, default);
        await store.SetAsync(Key(Fingerprint(2)), Acme, Json("2"), Day, default);
        await store.SetAsync(Key(Fingerprint(3)), Acme, Json("3"), TimeSpan.FromSeconds(10), default);
        await store.SetAsync(Key(Fingerprint(4)), Acme, Json("4"), Day, default);
        for (var i = 1; i <= 4; i++)
        {
            await ReadTwiceAsync(store, Fingerprint(i));
        }

        await store.PurgeAsync("acme", "support", null, default);
        await store.PurgeAsync(null, null, Fingerprint(2), default);
        _clock.Advance(TimeSpan.FromSeconds(10));
        for (var i = 10; i < 200; i++)
        {
            await store.SetAsync(Key(Fingerprint(i)), Acme, Json(new string('z', 1000)), Day, default);
        }

        for (var i = 1; i <= 4; i++)
        {
            Assert.Null(await store.GetAsync(Key(Fingerprint(i)), default));
        }
    }

    [Theory]
    [InlineData("not-a-fingerprint")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    public async Task SetAsync_NotALowerCaseSha256Fingerprint_NotStored(string fingerprint)
    {
        var store = Ring(1 << 20);

        await store.SetAsync(Key(fingerprint), Acme, Json("x"), Day, default);

        Assert.Null(await store.GetAsync(Key(fingerprint), default));
        Assert.Null(await store.GetAsync(Key(fingerprint.ToLowerInvariant()), default));
    }

    private static async Task ReadTwiceAsync(MemoryResponseCacheStore store, string fingerprint)
    {
        for (var i = 0; i < 2; i++)
        {
            using var hit = await store.GetAsync(Key(fingerprint), default);
            Assert.NotNull(hit);
        }
    }

    private MemoryResponseCacheStore Ring(long bytes) =>
        new(Options.Create(new GatewayOptions { Cache = new CacheOptions { MemoryLimitBytes = bytes } }), _clock);

    private static string Fingerprint(int i) => Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)));

    private static CachedResponse Json(string body) =>
        new(200, [new("Content-Type", "application/json")], Encoding.UTF8.GetBytes(body), null, -1, 1_700_000_000_000, "r" + body.Length);

    private static async Task<int> AssertEveryHitIsStoredAsync(MemoryResponseCacheStore store, Dictionary<string, string> stored)
    {
        var hits = 0;
        foreach (var (fingerprint, body) in stored)
        {
            using var hit = await store.GetAsync(Key(fingerprint), default);
            if (hit is not null)
            {
                hits++;
                Assert.Equal(body, Encoding.UTF8.GetString(hit.Payload.Span));
                Assert.Equal("r" + body.Length, hit.ResponseId);
            }
        }

        return hits;
    }

    // The memory store keys entries by fingerprint alone; the scope only names Redis keys.
    private static CacheKey Key(string fingerprint) => new(fingerprint, "acme");
}
