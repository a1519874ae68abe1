namespace AiGateway.Transforms.Walls;

/// <summary>
/// The owners this instance has recorded or read, kept in memory in front of <see cref="IObjectOwnerStore"/>: an owner
/// never changes once recorded, so a known one needs no database round trip on the next call that names it (an agent
/// loop names its previous response on every turn). Only found owners are kept; an id not found is asked again, since
/// another instance may record it at any moment.
/// </summary>
internal sealed class KnownObjectOwners(IObjectOwnerStore store) : IObjectOwnerStore
{
    // Entries come only from upstream answers and the table, never from a client's guess, so the bound is against
    // growth over a long life, not against a flood: past it the memory starts over.
    private const int MaxKnown = 100_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ObjectOwner> _known = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task<ObjectOwner?> FindAsync(string objectId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(objectId, out var known))
        {
            return known;
        }

        var owner = await store.FindAsync(objectId, cancellationToken);
        if (owner is not null)
        {
            Remember(owner);
        }

        return owner;
    }

    /// <inheritdoc/>
    public async Task<bool> RecordAsync(ObjectOwner owner, CancellationToken cancellationToken)
    {
        // Only an owner the table took is remembered: where the id had one already, that one is read when asked.
        var recorded = await store.RecordAsync(owner, cancellationToken);
        if (recorded)
        {
            Remember(owner);
        }

        return recorded;
    }

    private void Remember(ObjectOwner owner)
    {
        if (_known.Count >= MaxKnown)
        {
            _known.Clear();
        }

        _known[owner.ObjectId] = owner;
    }
}
