using AiGateway.Tests.Infrastructure;

namespace AiGateway.Tests.Fuzzing;

/// <summary>A gateway under fuzz, the key its callers send, the Authorization its upstream must receive (null: the client's own), and every log line it writes (the session looks for Error and Critical ones).</summary>
internal sealed record FuzzTarget(string Name, TestGateway Gateway, string Key, string? UpstreamAuthorization, LogCapture Logs);
