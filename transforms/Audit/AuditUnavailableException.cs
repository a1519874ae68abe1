namespace AiGateway.Transforms.Audit;

/// <summary>An audit entry could not be written; the change it records was not made (or, outside the database, not started).</summary>
/// <param name="inner">The store's failure.</param>
public sealed class AuditUnavailableException(Exception inner)
    : Exception("The admin audit log could not be written: " + inner.Message, inner);
