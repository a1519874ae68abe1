namespace AiGateway.Transforms.Inflight;

/// <summary>One instance's reply to an <see cref="InflightAsk"/>.</summary>
internal sealed record InflightReply
{
    /// <summary>The question answered.</summary>
    public string Ask { get; init; } = "";

    /// <summary>The replying instance.</summary>
    public string Instance { get; init; } = "";

    /// <summary>Whether the instance has the call named (running, release) or cancelled it (cancel).</summary>
    public bool Found { get; init; }

    /// <summary>Whether the call found is still running (running).</summary>
    public bool Running { get; init; }

    /// <summary>The response id of the answer the named reader reads, when this instance holds only a copy of it (cancel).</summary>
    public string? CopyOf { get; init; }

    /// <summary>The answers running on the instance (list): those it leads with their call, copies with their readers only.</summary>
    public IReadOnlyList<InflightCall> Calls { get; init; } = [];
}
