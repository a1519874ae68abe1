namespace AiGateway.Tests.Fuzzing;

/// <summary>A request as the upstream received it: method, request target as sent (path and query, still encoded), every header value, and the body's bytes.</summary>
internal sealed record ReceivedRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);
