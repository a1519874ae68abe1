namespace AiGateway.Transforms.Inflight;

/// <summary>A question published to every instance (<see cref="InflightBus"/>): an operation and the call it names.</summary>
internal sealed record InflightAsk
{
    /// <summary>The operation.</summary>
    public InflightOp Op { get; init; }

    /// <summary>Correlates the replies.</summary>
    public string Ask { get; init; } = "";

    /// <summary>The asking instance, whose reply channel the replies go to.</summary>
    public string From { get; init; } = "";

    /// <summary>The request id named (running, release, cancel).</summary>
    public Guid? RequestId { get; init; }

    /// <summary>The response id named (a cancel of the answer a copy reads).</summary>
    public string? ResponseId { get; init; }

    /// <summary>The org of the app asking (running, release).</summary>
    public string? Org { get; init; }

    /// <summary>The customer of the app asking (running, release).</summary>
    public string? Customer { get; init; }
}
