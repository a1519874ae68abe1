namespace AiGateway.Transforms.Payloads;

/// <summary>A call as <c>GET /api/logs/{request_id}</c> shows it: its performance-log row and its payload.</summary>
/// <param name="Row">The row's columns in table order (<see cref="string"/>, <see cref="bool"/>, <see cref="long"/>, <see cref="decimal"/>, <see cref="DateTimeOffset"/>, <see cref="Guid"/> or null), or null when the row is not written (yet, or any more).</param>
/// <param name="Payload">The payload, or null when none was stored.</param>
internal sealed record LoggedCall(IReadOnlyList<KeyValuePair<string, object?>>? Row, PayloadRecord? Payload);
