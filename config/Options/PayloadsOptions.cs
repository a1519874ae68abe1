namespace AiGateway.Config;

/// <summary>The <c>Gateway:Payloads</c> section: opt-in payload logging (CONTRACT §10.7), for orgs and customers whose <c>payload_logging</c> is not <c>off</c>.</summary>
public sealed class PayloadsOptions
{
    /// <summary>Most of each side (request, response) stored; a longer body is cut at a character boundary and the row marked <c>truncated</c>.</summary>
    /// <value>Bytes of UTF-8, 1024 to 16777216. Default 262144 (256 KiB).</value>
    public int MaxBytes { get; set; } = 256 * 1024;

    /// <summary>Whole UTC days of payloads kept before the current one; older days are dropped.</summary>
    /// <value>Days, 1 to 3650. Default 7.</value>
    public int RetentionDays { get; set; } = 7;

    /// <summary>Payloads waiting in memory for the writer; past it a payload is dropped (counted in <c>aigw_payloads_dropped_total</c>), never a call or its log row. Read at start-up.</summary>
    /// <value>Payloads, 16 to 1000000. Default 10000.</value>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Redaction of the <c>redacted</c> level.</summary>
    public PayloadRedactOptions Redact { get; set; } = new();
}
