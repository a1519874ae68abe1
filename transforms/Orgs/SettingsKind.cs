namespace AiGateway.Transforms.Orgs;

/// <summary>What a settings column holds, and so how it is read from JSON and from either store.</summary>
internal enum SettingsKind
{
    /// <summary>A mode name (<c>cheap</c>, <c>smart</c>, <c>auto</c>): <c>text</c>.</summary>
    Mode,

    /// <summary>true or false: <c>boolean</c> (0/1 in the embedded store).</summary>
    Flag,

    /// <summary>A whole number that fits <c>integer</c>.</summary>
    Int,

    /// <summary>A whole number that fits <c>bigint</c>.</summary>
    Long,

    /// <summary>An exact amount of USD: <c>numeric(20,10)</c> (exact decimal text in the embedded store).</summary>
    Usd,

    /// <summary>A payload logging level (<see cref="PayloadLoggingName"/>): <c>text</c>.</summary>
    Logging,
}
