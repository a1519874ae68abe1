namespace AiGateway.Transforms.Inflight;

/// <summary>What one instance asks the others about their calls in flight.</summary>
internal enum InflightOp
{
    /// <summary>List the answers running on the instance.</summary>
    List,

    /// <summary>Whether the call with a reader's request id runs (for its own org and customer).</summary>
    Running,

    /// <summary>Release the reader with a request id (for its own org and customer).</summary>
    Release,

    /// <summary>Cancel the call a request id names (a reader's, or the leader's), or an answer by response id, where it is led.</summary>
    Cancel,
}
