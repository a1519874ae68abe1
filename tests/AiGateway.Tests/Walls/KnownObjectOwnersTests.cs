using AiGateway.Transforms.Walls;
using Xunit;

namespace AiGateway.Tests.Walls;

public sealed class KnownObjectOwnersTests
{
    [Fact]
    public async Task FindAsync_RecordedOrFoundOwner_NoSecondStoreRead()
    {
        var store = new CountingStore();
        var known = new KnownObjectOwners(store);
        store.Rows["resp_elsewhere"] = new ObjectOwner("resp_elsewhere", "org-b", null, "response");

        Assert.True(await known.RecordAsync(new ObjectOwner("resp_mine", "org-a", null, "response"), default));
        Assert.Equal("org-a", (await known.FindAsync("resp_mine", default))!.OrgId);
        Assert.Equal("org-b", (await known.FindAsync("resp_elsewhere", default))!.OrgId);
        Assert.Equal("org-b", (await known.FindAsync("resp_elsewhere", default))!.OrgId);

        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task FindAsync_UnknownId_AskedEveryTime_AndATakenIdKeepsItsFirstOwner()
    {
        var store = new CountingStore();
        var known = new KnownObjectOwners(store);

        Assert.Null(await known.FindAsync("resp_later", default));
        store.Rows["resp_later"] = new ObjectOwner("resp_later", "org-b", null, "response");
        Assert.False(await known.RecordAsync(new ObjectOwner("resp_later", "org-a", null, "response"), default));

        Assert.Equal("org-b", (await known.FindAsync("resp_later", default))!.OrgId);
        Assert.Equal(2, store.Reads);
    }

    private sealed class CountingStore : IObjectOwnerStore
    {
        public Dictionary<string, ObjectOwner> Rows { get; } = [];

        public int Reads { get; private set; }

        public Task<ObjectOwner?> FindAsync(string objectId, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(Rows.GetValueOrDefault(objectId));
        }

        public Task<bool> RecordAsync(ObjectOwner owner, CancellationToken cancellationToken) => Task.FromResult(Rows.TryAdd(owner.ObjectId, owner));
    }
}
