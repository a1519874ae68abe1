namespace AiGateway.Transforms.Quota;

/// <summary>What a call ran out of.</summary>
internal enum QuotaKind
{
    /// <summary>Requests per minute.</summary>
    Requests,

    /// <summary>Tokens per minute.</summary>
    Tokens,

    /// <summary>Calls at once.</summary>
    Concurrency,

    /// <summary>A monthly budget.</summary>
    Budget,
}
