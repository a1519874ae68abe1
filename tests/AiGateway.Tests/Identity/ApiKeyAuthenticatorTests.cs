using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Identity;
using Xunit;

namespace AiGateway.Tests.Identity;

public sealed class ApiKeyAuthenticatorTests
{
    [Fact]
    public async Task AuthenticateAsync_PassthroughKeys_EachKeyItsOwnStableOrg()
    {
        var authenticator = Create(AuthMode.Passthrough, new CountingStore(), new ManualClock());

        var first = await authenticator.AuthenticateAsync("sk-client-one", default);
        var again = await authenticator.AuthenticateAsync("sk-client-one", default);
        var other = await authenticator.AuthenticateAsync("sk-client-two", default);

        Assert.Equal("pt_" + ApiKeyHasher.Hash("sk-client-one")[..16], first!.OrgId);
        Assert.Equal(first.OrgId, again!.OrgId);
        Assert.Equal("pt_" + ApiKeyHasher.Hash("sk-client-two")[..16], other!.OrgId);
    }

    [Fact]
    public async Task AuthenticateAsync_VirtualKeyWithinCacheTime_StoreReadOnceAndRevocationSeenAfter()
    {
        var store = new CountingStore();
        var clock = new ManualClock();
        var authenticator = Create(AuthMode.VirtualKeys, store, clock);
        const string key = "aigw_known";
        store.Add(key, "org-a");

        Assert.Equal("org-a", (await authenticator.AuthenticateAsync(key, default))!.OrgId);
        Assert.Equal("org-a", (await authenticator.AuthenticateAsync(key, default))!.OrgId);
        Assert.Equal(1, store.Reads);
        Assert.Null(await authenticator.AuthenticateAsync("aigw_knowx", default));

        store.Revoke(key);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Null(await authenticator.AuthenticateAsync(key, default));
    }

    [Fact]
    public async Task Forget_CachedKeyChangedInTheStore_NextCallReadsTheChange()
    {
        var store = new CountingStore();
        var authenticator = Create(AuthMode.VirtualKeys, store, new ManualClock());
        const string key = "aigw_forgotten";
        store.Add(key, "org-a");
        store.Add("aigw_other", "org-b");
        await authenticator.AuthenticateAsync(key, default);
        await authenticator.AuthenticateAsync("aigw_other", default);

        store.Revoke(key);
        Assert.NotNull(await authenticator.AuthenticateAsync(key, default));
        authenticator.Forget(ApiKeyHasher.Hash(key)[..ApiKeyRecord.IdLength]);

        Assert.Null(await authenticator.AuthenticateAsync(key, default));
        Assert.Equal("org-b", (await authenticator.AuthenticateAsync("aigw_other", default))!.OrgId);
        // The forgotten key was read again; the other stayed cached.
        Assert.Equal(3, store.Reads);
    }

    [Fact]
    public async Task AuthenticateAsync_KeySeenInPassthroughThenReloadToVirtualKeys_UnknownKeyRefused()
    {
        var options = new ReloadableOptions(new GatewayOptions { Auth = new AuthOptions { Mode = AuthMode.Passthrough, KeyCacheSeconds = 10 } });
        var authenticator = new ApiKeyAuthenticator(new CountingStore(), options, new ManualClock());
        Assert.NotNull(await authenticator.AuthenticateAsync("sk-anything", default));

        // A hot reload: the monitor hands out a new options object that says VirtualKeys.
        options.CurrentValue = new GatewayOptions { Auth = new AuthOptions { Mode = AuthMode.VirtualKeys, KeyCacheSeconds = 10 } };

        Assert.Null(await authenticator.AuthenticateAsync("sk-anything", default));
    }

    [Fact]
    public async Task AuthenticateAsync_ManyPassthroughKeys_CacheHoldsHashesOnlyCappedAndKeepsTheKeysInUse()
    {
        var clock = new ManualClock();
        var authenticator = new ApiKeyAuthenticator(new CountingStore(), new FixedOptionsMonitor<GatewayOptions>(new GatewayOptions()), clock, capacity: 100);
        const string busy = "sk-busy-client";
        var seen = new List<string> { busy };

        for (var i = 0; i < 1000; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await authenticator.AuthenticateAsync(busy, default);
            var key = "sk-" + new string('k', 3000) + i;
            seen.Add(key);
            await authenticator.AuthenticateAsync(key, default);
            Assert.True(authenticator.CachedCount <= 100, $"{authenticator.CachedCount} keys cached");
        }

        var cached = authenticator.CachedHashes.ToList();
        Assert.All(cached, h => Assert.Matches("^[0-9a-f]{64}$", h));
        Assert.DoesNotContain(cached, h => seen.Contains(h));
        // The key used on every call is the most recently used: no eviction dropped it.
        Assert.Contains(ApiKeyHasher.Hash(busy), cached);
    }

    [Fact]
    public async Task AuthenticateAsync_KeyOver4096Bytes_Refused()
    {
        var authenticator = Create(AuthMode.Passthrough, new CountingStore(), new ManualClock());

        Assert.NotNull(await authenticator.AuthenticateAsync(new string('k', 4096), default));
        Assert.Null(await authenticator.AuthenticateAsync(new string('k', 4097), default));
        // 1366 euro signs are 4098 UTF-8 bytes: over the limit in bytes, not in characters.
        Assert.Null(await authenticator.AuthenticateAsync(new string('\u20ac', 1366), default));
        Assert.Equal(1, authenticator.CachedCount);
    }

    private static ApiKeyAuthenticator Create(AuthMode mode, IApiKeyStore store, TimeProvider clock) =>
        new(store, new FixedOptionsMonitor<GatewayOptions>(new GatewayOptions { Auth = new AuthOptions { Mode = mode, KeyCacheSeconds = 10 } }), clock);

    private sealed class ReloadableOptions(GatewayOptions initial) : Microsoft.Extensions.Options.IOptionsMonitor<GatewayOptions>
    {
        public GatewayOptions CurrentValue { get; set; } = initial;

        public GatewayOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<GatewayOptions, string?> listener) => null;
    }

    private sealed class CountingStore : IApiKeyStore
    {
        private readonly Dictionary<string, ApiKeyRecord> _byHash = [];

        public int Reads { get; private set; }

        public void Add(string key, string orgId) =>
            _byHash[ApiKeyHasher.Hash(key)] = new ApiKeyRecord(ApiKeyHasher.Hash(key), orgId, "test", DateTime.UtcNow, null);

        public void Revoke(string key) => _byHash[ApiKeyHasher.Hash(key)] = _byHash[ApiKeyHasher.Hash(key)] with { RevokedAt = DateTime.UtcNow };

        public Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(_byHash.GetValueOrDefault(keyHash));
        }

        public Task<ApiKeyRecord?> FindByIdAsync(string keyId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CreateAsync(ApiKeyRecord record, AuditActor actor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? orgId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApiKeyRecord?> ChangeAsync(string keyId, Func<ApiKeyRecord, ApiKeyChange?> change, AuditActor actor, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
