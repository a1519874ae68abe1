using System.Net;
using System.Net.Http.Headers;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;
using static AiGateway.Tests.Infrastructure.LiveAnswers;

namespace AiGateway.Tests.Dedupe;

/// <summary>Dedupe, live join and resume across two gateway instances sharing one real Redis.</summary>
public sealed class CrossInstanceDedupeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Post_IdenticalOnTwoInstances_OneUpstreamCallSameAnswer()
    {
        await using var pair = await HeldPair.StartAsync();
        var (first, second, calls) = (pair.First, pair.Second, pair.Calls);
        var body = Body(stream: false);

        var onFirst = first.Client.SendAsync(Chat(body, noStore: true));
        await WaitUntilAsync(() => calls() == 1);
        var onSecond = second.Client.SendAsync(Chat(body, noStore: true));
        await WaitUntilAsync(() => Subscribers(second) == 1);
        pair.Release();
        using var a = await onFirst;
        using var b = await onSecond;

        Assert.Equal(1, calls());
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        Assert.Equal("follower", b.Headers.GetValues("x-aigw-dedupe").Single());
        Assert.Equal(await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_ManyIdenticalAtOnceOnTwoInstances_OneLeaderOneUpstreamCall()
    {
        // Four calls at once on each instance: one leads, its instance joins it locally, the other follows through Redis.
        await using var pair = await HeldPair.StartAsync();
        var (first, second, calls) = (pair.First, pair.Second, pair.Calls);
        var body = Body(stream: false);

        var sent = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).Client.SendAsync(Chat(body, noStore: false))).ToArray();
        await WaitUntilAsync(() => calls() == 1 && Subscribers(first) + Subscribers(second) >= 7);
        pair.Release();
        var answers = await Task.WhenAll(sent);

        Assert.Equal(1, calls());
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Single(answers, answer => answer.Headers.TryGetValues("x-aigw-dedupe", out var role) && role.Single() == "leader");
        var texts = await Task.WhenAll(answers.Select(answer => answer.Content.ReadAsStringAsync()));
        Assert.Single(texts.Distinct());
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Stream_IdenticalOnTwoInstances_OneUpstreamCallSameEventsLive()
    {
        var step = new SemaphoreSlim(0);
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 3; i++)
            {
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"n\":{i}}}\n\n");
                await step.WaitAsync(Patience);
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var first = await StartAsync(upstream);
        await using var second = await StartAsync(upstream);
        var body = Body(stream: true);

        using var leader = await first.Client.SendAsync(Chat(body, noStore: true), HttpCompletionOption.ResponseHeadersRead);
        var leaderEvents = new SseReader(await leader.Content.ReadAsStreamAsync());
        Assert.Equal("data: {\"n\":0}", await leaderEvents.ReadEventAsync().WaitAsync(Patience));
        using var follower = await second.Client.SendAsync(Chat(body, noStore: true), HttpCompletionOption.ResponseHeadersRead);
        var followerEvents = new SseReader(await follower.Content.ReadAsStreamAsync());
        // The late joiner gets the events so far at once, then the live tail.
        Assert.Equal("data: {\"n\":0}", await followerEvents.ReadEventAsync().WaitAsync(Patience));
        for (var i = 1; i < 3; i++)
        {
            step.Release();
            Assert.Equal($"data: {{\"n\":{i}}}", await leaderEvents.ReadEventAsync().WaitAsync(Patience));
            Assert.Equal($"data: {{\"n\":{i}}}", await followerEvents.ReadEventAsync().WaitAsync(Patience));
        }

        step.Release();
        Assert.Equal("data: [DONE]", await leaderEvents.ReadEventAsync().WaitAsync(Patience));
        Assert.Equal("data: [DONE]", await followerEvents.ReadEventAsync().WaitAsync(Patience));
        Assert.Equal("follower", follower.Headers.GetValues("x-aigw-dedupe").Single());
        Assert.Equal(leaderEvents.Ids, followerEvents.Ids);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Stream_ManyEventsAtOnceOnOtherInstance_FollowerGetsTheSameEventsFromBatchedEntries()
    {
        var release = new TaskCompletionSource();
        var events = string.Concat(Enumerable.Range(0, 40).Select(i => $"data: {{\"n\":{i}}}\n\n")) + "data: [DONE]\n\n";
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.Body.FlushAsync();
            await release.Task.WaitAsync(Patience);
            // Every event in one write: the leader has them all at once, faster than it can mirror one by one.
            await ScriptedUpstream.WriteEventAsync(context.Response, events);
        });
        await using var first = await StartAsync(upstream);
        await using var second = await StartAsync(upstream);
        var body = Body(stream: true);

        var onFirst = first.Client.SendAsync(Chat(body, noStore: true), HttpCompletionOption.ResponseHeadersRead);
        await WaitUntilAsync(() => Started(first) == 1);
        var onSecond = second.Client.SendAsync(Chat(body, noStore: true), HttpCompletionOption.ResponseHeadersRead);
        await WaitUntilAsync(() => Subscribers(second) == 1);
        release.SetResult();
        using var leader = await onFirst.WaitAsync(Patience);
        using var follower = await onSecond.WaitAsync(Patience);
        var leaderEvents = new SseReader(await leader.Content.ReadAsStreamAsync());
        var followerEvents = new SseReader(await follower.Content.ReadAsStreamAsync());
        var fromLeader = await leaderEvents.ReadAllAsync().WaitAsync(Patience);
        var fromFollower = await followerEvents.ReadAllAsync().WaitAsync(Patience);

        Assert.Equal("follower", follower.Headers.GetValues("x-aigw-dedupe").Single());
        Assert.Equal(41, fromLeader.Count);
        Assert.Equal(fromLeader, fromFollower);
        Assert.Equal(leaderEvents.Ids, followerEvents.Ids);
        // The log is kept for the resume window: it holds the events in fewer entries than events.
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var log = await redis.GetDatabase().StreamRangeAsync(RedisLiveKeys.Log(Fingerprint(first, body), leaderEvents.Ids[0].Split(':')[0]));
        Assert.Contains(log, entry => (string?)entry["k"] == "evs");
        Assert.True(log.Length < 41);
    }

    [Fact]
    public async Task Post_LeaderSlowerThanItsLease_KeepsTheLeaseAndItsFollowerOnOtherInstanceGetsTheAnswer()
    {
        // The answer takes longer than a lease: the leader's instance renews the lease on its shared timer (every quarter
        // lease), so the follower on the other instance keeps waiting for it instead of taking over with a second upstream
        // call. Six seconds leave a starved machine four and a half seconds of slack before a late renewal loses the lease.
        const int leaseSeconds = 6;
        await using var pair = await HeldPair.StartAsync(leaseSeconds);
        var (first, second, calls) = (pair.First, pair.Second, pair.Calls);
        var body = Body(stream: false);
        var lease = RedisLiveKeys.Lease(Fingerprint(first, body));
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var database = redis.GetDatabase();

        var onFirst = first.Client.SendAsync(Chat(body, noStore: true));
        await WaitUntilAsync(() => calls() == 1);
        var holder = (string?)await database.StringGetAsync(lease);
        var readersOnFirst = Subscribers(first);
        var onSecond = second.Client.SendAsync(Chat(body, noStore: true));
        await WaitUntilAsync(() => Subscribers(second) == 1);
        // A renewal also counts the reader on the other instance as one of the leader's answer.
        await WaitUntilAsync(() => Subscribers(first) == readersOnFirst + 1);
        await LeaseOutlivedAsync(database, lease, TimeSpan.FromSeconds(leaseSeconds));
        var holderAfterALease = (string?)await database.StringGetAsync(lease);
        pair.Release();
        using var a = await onFirst.WaitAsync(Patience);
        using var b = await onSecond.WaitAsync(Patience);

        Assert.NotNull(holder);
        Assert.Equal(holder, holderAfterALease);
        Assert.Equal(1, calls());
        Assert.Equal("follower", b.Headers.GetValues("x-aigw-dedupe").Single());
        Assert.Equal(await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_LeaderInstanceDead_FollowerWaitsThenTakesOverWithFreshCallOnceItsLeaseIsGone()
    {
        var (upstream, calls) = await StartOkUpstreamAsync();
        await using var upstreamScope = upstream;
        await using var gateway = await StartAsync(upstream, leaseSeconds: 2);
        var body = Body(stream: false);
        var fingerprint = Fingerprint(gateway, body);

        // A leader that died right after taking the lease: it holds it and never writes a thing. The lease outlives the
        // test, so it ends when the test deletes it, as an expiry would.
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var database = redis.GetDatabase();
        Assert.True(await database.StringSetAsync(RedisLiveKeys.Lease(fingerprint), "deadbeefdeadbeef", TimeSpan.FromMinutes(5), When.NotExists));

        using var response = await FollowThenTakeOverAsync(gateway, database, fingerprint, body, calls);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"ok\":true}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Post_LeaderInstanceDiedAfterItsStatus_FollowerWaitsThenTakesOverWithFreshCallOnceItsLeaseIsGone()
    {
        var (upstream, calls) = await StartOkUpstreamAsync();
        await using var upstreamScope = upstream;
        await using var gateway = await StartAsync(upstream, leaseSeconds: 2);
        var body = Body(stream: false);
        var fingerprint = Fingerprint(gateway, body);

        // A leader that died after mirroring the upstream's status, before the body: its follower has written nothing yet.
        const string responseId = "feedfacefeedface";
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var database = redis.GetDatabase();
        await database.StreamAddAsync(RedisLiveKeys.Log(fingerprint, responseId),
            [new("k", "start"), new("s", 200), new("es", 0), new("rid", responseId), new("h", "Content-Type\napplication/json\n")]);
        await database.KeyExpireAsync(RedisLiveKeys.Log(fingerprint, responseId), TimeSpan.FromMinutes(1));
        Assert.True(await database.StringSetAsync(RedisLiveKeys.Lease(fingerprint), responseId, TimeSpan.FromMinutes(5), When.NotExists));

        using var response = await FollowThenTakeOverAsync(gateway, database, fingerprint, body, calls);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"ok\":true}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Stream_ResumeOnOtherInstance_GetsTheRemainingEventsExactlyOnce()
    {
        var step = new SemaphoreSlim(0);
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 4; i++)
            {
                await step.WaitAsync(Patience);
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"n\":{i}}}\n\n");
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var first = await StartAsync(upstream, graceSeconds: 30);
        await using var second = await StartAsync(upstream);
        var body = Body(stream: true);

        string lastId;
        using (var dropping = await first.Client.SendAsync(Chat(body, noStore: true), HttpCompletionOption.ResponseHeadersRead))
        {
            var reader = new SseReader(await dropping.Content.ReadAsStreamAsync());
            step.Release(2);
            Assert.Equal("data: {\"n\":0}", await reader.ReadEventAsync().WaitAsync(Patience));
            Assert.Equal("data: {\"n\":1}", await reader.ReadEventAsync().WaitAsync(Patience));
            lastId = reader.Ids[^1];
        }

        var resume = Chat(body, noStore: true);
        resume.Headers.Add("Last-Event-ID", lastId);
        using var resumed = await second.Client.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        var resumedReader = new SseReader(await resumed.Content.ReadAsStreamAsync());
        step.Release(2);

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal(["data: {\"n\":2}", "data: {\"n\":3}", "data: [DONE]"], await resumedReader.ReadAllAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Stream_EndedWithNobodyElsewhere_NoLogInRedisUntilResumedOnOtherInstanceThenTheRestExactlyOnce()
    {
        // Issue 21: a leader writes its answer to Redis only when a client on another instance asks for it. This one ends
        // unasked (and uncached): Redis holds neither its log nor its lease; a resume on the other instance asks, and the
        // leader's instance writes the whole log from the answer it keeps for resumes.
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 4; i++)
            {
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"n\":{i}}}\n\n");
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var first = await StartAsync(upstream);
        await using var second = await StartAsync(upstream);
        var body = Body(stream: true);
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var database = redis.GetDatabase();

        using var whole = await first.Client.SendAsync(Chat(body, noStore: true), HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await whole.Content.ReadAsStreamAsync());
        Assert.Equal(5, (await reader.ReadAllAsync().WaitAsync(Patience)).Count);
        var fingerprint = Fingerprint(first, body);
        var log = RedisLiveKeys.Log(fingerprint, reader.Ids[0].Split(':')[0]);
        await Eventually.UntilAsync(async () => !await database.KeyExistsAsync(RedisLiveKeys.Lease(fingerprint)), "the leader let its lease go");
        var loggedUnasked = await database.KeyExistsAsync(log);

        var resume = Chat(body, noStore: true);
        resume.Headers.Add("Last-Event-ID", reader.Ids[1]);
        using var resumed = await second.Client.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        var rest = await new SseReader(await resumed.Content.ReadAsStreamAsync()).ReadAllAsync().WaitAsync(Patience);

        Assert.False(loggedUnasked);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal(["data: {\"n\":2}", "data: {\"n\":3}", "data: [DONE]"], rest);
        Assert.True(await database.KeyExistsAsync(log));
    }

    // Waits, by what Redis shows rather than by a clock of the test's, until the lease has been renewed for longer than it
    // lasts: each renewal pushes its expiry out by the time since the one before, so once those pushes add up past one
    // lease, the lease the leader first took would have expired without them.
    private static async Task LeaseOutlivedAsync(IDatabase database, RedisKey lease, TimeSpan length)
    {
        var last = await database.KeyTimeToLiveAsync(lease) ?? TimeSpan.Zero;
        var renewed = TimeSpan.Zero;
        await Eventually.UntilAsync(async () =>
        {
            var ttl = await database.KeyTimeToLiveAsync(lease) ?? TimeSpan.Zero;
            if (ttl > last)
            {
                renewed += ttl - last;
            }

            last = ttl;
            return renewed > length;
        }, "the leader renewed its lease for longer than one lease");
    }

    // Sends the call, sees it follow the dead leader in Redis (a follower counts itself among the answer's watchers) with
    // no upstream call of its own, then ends the leader's lease as an expiry would: the call must take over.
    private static async Task<HttpResponseMessage> FollowThenTakeOverAsync(TestGateway gateway, IDatabase database, string fingerprint, string body, Func<int> calls)
    {
        var sent = gateway.Client.SendAsync(Chat(body, noStore: true));
        await Eventually.UntilAsync(async () => (long)await database.StringGetAsync(RedisLiveKeys.Watchers(fingerprint)) >= 1,
            "the call follows the answer in Redis");
        Assert.Equal(0, calls());
        await database.KeyDeleteAsync(RedisLiveKeys.Lease(fingerprint));
        return await sent.WaitAsync(Patience);
    }

    // Two gateways on one Redis in front of an upstream that counts its calls and answers each once released.
    private sealed class HeldPair : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new();
        private ScriptedUpstream _upstream = null!;
        private int _calls;

        private HeldPair() => Calls = () => Volatile.Read(ref _calls);

        public TestGateway First { get; private set; } = null!;

        public TestGateway Second { get; private set; } = null!;

        /// <summary>How many calls reached the upstream so far.</summary>
        public Func<int> Calls { get; }

        public void Release() => _release.SetResult();

        public static async Task<HeldPair> StartAsync(int leaseSeconds = 10)
        {
            var pair = new HeldPair();
            pair._upstream = await ScriptedUpstream.StartAsync(async context =>
            {
                Interlocked.Increment(ref pair._calls);
                await pair._release.Task.WaitAsync(Patience);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"id\":\"chatcmpl-" + Guid.NewGuid() + "\"}");
            });
            pair.First = await CrossInstanceDedupeTests.StartAsync(pair._upstream, leaseSeconds);
            pair.Second = await CrossInstanceDedupeTests.StartAsync(pair._upstream, leaseSeconds);
            return pair;
        }

        public async ValueTask DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
            await _upstream.DisposeAsync();
        }
    }

    // An upstream answering {"ok":true} that counts its calls.
    private static async Task<(ScriptedUpstream Upstream, Func<int> Calls)> StartOkUpstreamAsync()
    {
        var calls = 0;
        var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"ok\":true}");
        });
        return (upstream, () => Volatile.Read(ref calls));
    }

    private static async Task<TestGateway> StartAsync(ScriptedUpstream upstream, int leaseSeconds = 10, int graceSeconds = 10) =>
        await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["Gateway:Dedupe:LeaseSeconds"] = leaseSeconds.ToString(),
            ["Gateway:Resume:GraceSeconds"] = graceSeconds.ToString(),
            ["Gateway:Upstream:MaxRetries"] = "0",
        });

    private static string Body(bool stream) =>
        $"{{\"model\":\"gpt-4o-mini\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"{Guid.NewGuid()}\"}}]}}";

    private static HttpRequestMessage Chat(string body, bool noStore)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-cross-instance-test");
        if (noStore)
        {
            // The cache would answer the second instance on its own; these tests are about the live answer.
            request.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
        }

        return request;
    }

    private static string Fingerprint(TestGateway gateway, string body)
    {
        using var json = System.Text.Json.JsonDocument.Parse(body);
        var org = "pt_" + Transforms.Identity.ApiKeyHasher.Hash("sk-cross-instance-test")[..16];
        return RequestFingerprint.Compute("org:" + org, "/v1/chat/completions", json.RootElement, ["user"]);
    }
}
