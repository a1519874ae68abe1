namespace AiGateway.Transforms.Walls;

/// <summary>The <c>object_owners</c> table.</summary>
public interface IObjectOwnerStore
{
    /// <summary>The owner of <paramref name="objectId"/>, or null when the gateway never recorded it.</summary>
    Task<ObjectOwner?> FindAsync(string objectId, CancellationToken cancellationToken);

    /// <summary>Records <paramref name="owner"/>; false when the id had an owner already, who stays (an upstream id is never reused).</summary>
    Task<bool> RecordAsync(ObjectOwner owner, CancellationToken cancellationToken);
}
